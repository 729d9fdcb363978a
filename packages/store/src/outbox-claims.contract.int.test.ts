import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClaimedEntry, Connection } from '@sluice/core';
import { SqlStores } from './sql-stores.ts';
import {
  createTestConnection,
  gatedClient,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
} from './testing/index.ts';

const day = 24 * 3600 * 1000;

/** Claims until `connection` has `count` rows in one claim (other test files may hold the horizon back). */
async function claimAll(
  store: SqlStores,
  owner: string,
  connection: Connection,
  count: number,
  leaseMs = 0,
): Promise<ClaimedEntry[]> {
  // Rows behind another transaction's commit (shared PostgreSQL) come in a later claim; what an earlier one
  // leased stays this owner's, so claims add up, by position.
  const mine = new Map<string, ClaimedEntry>();
  for (let i = 0; i < 100 && mine.size < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const claimed = await store.outbox.claim({ owner, limit: 1000, leaseMs });
    for (const entry of claimed) {
      if (entry.connection_id === connection.id) mine.set(entry.position, entry);
    }
  }
  return [...mine.values()];
}

for (const adapter of STORE_ADAPTERS) {
  describe(`outbox claims and acknowledgements: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: SqlStores;

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
    });
    after(() => db.drop());

    const append = (connection: Connection, n: string) =>
      store.events.append({
        connection,
        envelopes: [preparedEnvelope(connection, n)],
        dedupeWindowMs: day,
      });

    it('holds a leased connection from every relay, its holder too, until its rows are acknowledged', async () => {
      const connection = await createTestConnection(store, 'Held');
      await append(connection, 'h1');
      await append(connection, 'h2');
      const first = await claimAll(store, 'relay-a', connection, 2, 60_000);
      assert.equal(first.length, 2);
      await append(connection, 'h3');
      for (const owner of ['relay-a', 'relay-b']) {
        const again = await store.outbox.claim({ owner, limit: 1000, leaseMs: 60_000 });
        assert.deepEqual(
          again.filter((entry) => entry.connection_id === connection.id),
          [],
          `${owner} claims nothing of a connection under a live lease`,
        );
      }
      assert.equal(await store.outbox.acknowledge(first.slice(0, 1).map((entry) => entry.position)), 1);
      const partly = await store.outbox.claim({ owner: 'relay-b', limit: 1000, leaseMs: 60_000 });
      assert.deepEqual(
        partly.filter((entry) => entry.connection_id === connection.id),
        [],
        'one acknowledged row of two leaves the connection held',
      );
      assert.equal(
        await store.outbox.acknowledge([...first.map((entry) => entry.position), 'not-a-position']),
        1,
        'a repeat and a stranger count nothing',
      );
      const next = await claimAll(store, 'relay-b', connection, 1, 60_000);
      assert.deepEqual(
        next.map((entry) => entry.envelope.dedupe_key),
        ['shop:order:h3:created'],
      );
    });

    it('claims the rows of a lapsed lease again, in sequence order, with what came after them', async () => {
      const connection = await createTestConnection(store, 'Lapsed');
      await append(connection, 'l1');
      await append(connection, 'l2');
      const lost = await claimAll(store, 'relay-dead', connection, 2, 50);
      assert.equal(lost.length, 2);
      await append(connection, 'l3');
      await new Promise((resolve) => setTimeout(resolve, 60));
      const again = await claimAll(store, 'relay-b', connection, 3, 60_000);
      assert.deepEqual(
        again.map((entry) => entry.envelope.dedupe_key),
        ['l1', 'l2', 'l3'].map((n) => `shop:order:${n}:created`),
      );
      assert.deepEqual(
        again.slice(0, 2).map((entry) => entry.position),
        lost.map((entry) => entry.position),
        'the same rows, at the same positions',
      );
    });

    it('claims a connection by sequence when a later sequence has the earlier transaction id', async (t) => {
      if (adapter.name === 'pglite') {
        t.skip('PGlite runs one transaction at a time: no two writers can interleave');
        return;
      }
      const connection = await createTestConnection(store, 'Inverted');
      // T2 takes its transaction id first (as a real append does at its first write, its dedupe claims),
      // but T1 locks the connection and commits first: T1 has sequence 1 with the later id.
      const early = gatedClient(db.client, 'first-write');
      const t2Store = new SqlStores(early.client);
      const t2 = t2Store.events.append({
        connection,
        envelopes: [preparedEnvelope(connection, 'late-seq')],
        dedupeWindowMs: day,
      });
      await early.reached;
      await append(connection, 'early-seq');
      early.release();
      await t2;
      const rows = await store.outbox.readConnection(connection.tenant_id, connection.id, 0, 10);
      assert.equal(rows.length, 2);
      const [seq1, seq2] = rows as [(typeof rows)[number], (typeof rows)[number]];
      const txOf = (position: string) => BigInt(position.split('.')[0] as string);
      assert.ok(txOf(seq2.position) < txOf(seq1.position), 'sequence 2 carries the earlier transaction id');
      // A claim of one row takes the connection's first row by sequence, not by transaction id.
      let one: ClaimedEntry[] = [];
      for (let i = 0; i < 100 && one.length === 0; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        one = (await store.outbox.claim({ owner: 'relay-one', limit: 1, leaseMs: 0 })).filter(
          (entry) => entry.connection_id === connection.id,
        );
      }
      assert.deepEqual(
        one.map((entry) => entry.sequence),
        [seq1.sequence],
      );
      const both = await claimAll(store, 'relay-two', connection, 2);
      assert.deepEqual(
        both.map((entry) => entry.sequence),
        [seq1.sequence, seq2.sequence],
        'and a claim of both publishes them by sequence',
      );
    });
  });
}
