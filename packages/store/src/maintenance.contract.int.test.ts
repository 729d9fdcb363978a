import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, Stores } from '@sluice/core';
import {
  createTestConnection,
  openConnectedStore,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
} from './testing/index.ts';

const prepared = preparedEnvelope;

for (const adapter of STORE_ADAPTERS) {
  describe(`maintenance and dead letters contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let connection: Connection;

    before(async () => {
      ({ db, store, connection } = await openConnectedStore(adapter));
    });
    after(() => db.drop());

    it('sweeps expired dedupe and replay keys and expires old pending dead letters, nothing else', async () => {
      let now = new Date('2031-01-01T00:00:00Z');
      const timed = db.store({ now: () => now });
      const sweeper = await createTestConnection(timed, 'Sweep');
      const replay = { key: 'sweep-replay', expiresAt: new Date(now.getTime() + 60_000) };
      await timed.events.append({
        connection: sweeper,
        envelopes: [prepared(sweeper, 'old')],
        dedupeWindowMs: 60_000,
        replay,
      });
      await timed.events.append({
        connection: sweeper,
        envelopes: [prepared(sweeper, 'young')],
        dedupeWindowMs: 600_000,
      });
      const letter = await timed.deadLetters.create({
        tenant_id: sweeper.tenant_id,
        connector: 'test-orders',
        connection_id: sweeper.id,
        event_payload: { body_base64: '', headers: {}, content_type: null },
        error_message: 'old',
        error_context: {},
      });
      now = new Date(now.getTime() + 120_000);
      const swept = await timed.maintenance.sweepExpired(now, new Date(Date.now() - 3_600_000), 1000);
      assert.ok(swept.dedupe_keys >= 1 && swept.webhook_replays >= 1, JSON.stringify(swept));
      const keys = await db.client.query<{ dedupe_key: string }>(
        'SELECT dedupe_key FROM dedupe_keys WHERE tenant_id = $1 ORDER BY dedupe_key',
        [sweeper.tenant_id],
      );
      assert.deepEqual(
        keys.map((k) => k.dedupe_key),
        ['shop:order:young:created'],
      );
      assert.equal((await timed.deadLetters.get(sweeper.tenant_id, letter.id))?.status, 'pending');
      await timed.maintenance.sweepExpired(now, new Date(Date.now() + 3_600_000), 1000);
      assert.equal((await timed.deadLetters.get(sweeper.tenant_id, letter.id))?.status, 'expired');
      // The envelopes stay: only the keys that guard against repeats expire.
      assert.equal((await timed.events.query(sweeper.tenant_id, {}, { limit: 10 })).items.length, 2);
    });

    it('deletes outbox rows relayed an hour ago, and keeps pending and lately relayed ones', async () => {
      let now = new Date('2032-03-01T00:00:00Z');
      const timed = db.store({ now: () => now });
      const relayed = await createTestConnection(timed, 'Outbox sweep');
      for (const id of ['first', 'second', 'third']) {
        await timed.events.append({
          connection: relayed,
          envelopes: [prepared(relayed, id)],
          dedupeWindowMs: 60_000,
        });
      }
      const rows = await timed.outbox.readConnection(relayed.tenant_id, relayed.id, 0, 10);
      assert.equal(rows.length, 3);
      const [first, second] = rows;
      // Relayed as the router's acknowledgement marks a row (not through a claim: on a shared PostgreSQL, a
      // claim leaves rows above the commit horizon of another test's open transaction where they are).
      const relay = async (position: string | undefined) =>
        assert.equal(await timed.outbox.acknowledge([position as string]), 1);
      await relay(first?.position);
      now = new Date(now.getTime() + 30 * 60_000);
      await relay(second?.position);
      // An hour after the first was relayed, half an hour after the second; the third never was.
      now = new Date(now.getTime() + 30 * 60_000);
      const swept = await timed.maintenance.sweepExpired(now, new Date(0), 1000);
      assert.ok(swept.outbox_relayed >= 1, JSON.stringify(swept));
      const left = await timed.outbox.readConnection(relayed.tenant_id, relayed.id, 0, 10);
      assert.deepEqual(
        left.map((row) => [row.sequence, row.relayed_at !== null]),
        [
          [second?.sequence, true],
          [rows[2]?.sequence, false],
        ],
      );
      // The envelopes stay.
      assert.equal((await timed.events.query(relayed.tenant_id, {}, { limit: 10 })).items.length, 3);
    });

    it('keeps dead letters per tenant and counts replays', async () => {
      const dl = await store.deadLetters.create({
        tenant_id: connection.tenant_id,
        connector: 'test-orders',
        connection_id: connection.id,
        event_payload: {
          body_base64: Buffer.from('{}').toString('base64'),
          headers: { a: 'b' },
          content_type: 'application/json',
        },
        error_message: 'boom',
        error_context: { stage: 'map' },
      });
      assert.equal(dl.status, 'pending');
      assert.equal(dl.kind, 'ingest', 'an ingest dead letter unless told otherwise');
      assert.equal(dl.job_id, null);
      const other = await store.tenancy.createTenant({ name: 'Nosy' });
      assert.equal(await store.deadLetters.get(other.id, dl.id), null);
      const replayed = await store.deadLetters.recordReplay(connection.tenant_id, dl.id, 'replayed');
      assert.equal(replayed?.retry_count, 1);
      assert.equal(replayed?.status, 'replayed');
      const list = await store.deadLetters.list(connection.tenant_id, { status: 'replayed' }, { limit: 10 });
      assert.deepEqual(
        list.items.map((d) => d.id),
        [dl.id],
      );
    });
  });
}
