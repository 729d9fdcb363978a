import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, Stores } from '@sluice/core';
import {
  createTestConnection,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
} from './testing/index.ts';

const day = 24 * 3600 * 1000;

for (const adapter of STORE_ADAPTERS) {
  describe(`poll state contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let connection: Connection;
    let now = new Date('2026-06-01T00:00:00.000Z');

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: () => now });
      await store.maintenance.migrate();
      connection = await createTestConnection(store, 'Poller');
    });
    after(() => db.drop());

    const hashes = (
      generation: string,
      ids: string[],
      extra: { sweep?: boolean; expiresAt?: Date } = {},
    ) => ({
      stream: 'customers',
      generation,
      expiresAt: extra.expiresAt ?? new Date(now.getTime() + 7 * day),
      records: ids.map((id) => ({ record_id: id, hash: `h-${id}`, record: { id } })),
      ...(extra.sweep === undefined ? {} : { sweep: extra.sweep }),
    });

    it('writes record hashes with the page, refreshes their expiry on each sighting, and reads only unexpired ones', async () => {
      const first = await store.events.append({
        connection,
        envelopes: [preparedEnvelope(connection, 'h1')],
        dedupeWindowMs: day,
        cursor: { stream: 'customers', cursor: 'p1' },
        hashes: hashes('g1', ['a', 'b']),
      });
      assert.equal(first.status, 'committed');
      const read = await store.events.readHashes(connection.tenant_id, connection.id, 'customers', [
        'a',
        'b',
        'z',
      ]);
      assert.deepEqual(
        read.map((h) => [h.record_id, h.hash, h.generation, h.record]),
        [
          ['a', 'h-a', 'g1', { id: 'a' }],
          ['b', 'h-b', 'g1', { id: 'b' }],
        ],
      );
      now = new Date(now.getTime() + 5 * day);
      await store.events.append({
        connection,
        envelopes: [],
        dedupeWindowMs: day,
        hashes: hashes('g2', ['a']),
      });
      now = new Date(now.getTime() + 5 * day); // b unseen for 10 days: expired; a seen 5 days ago: kept
      const later = await store.events.readHashes(connection.tenant_id, connection.id, 'customers', null);
      assert.deepEqual(
        later.map((h) => h.record_id),
        ['a'],
      );
      const swept = await store.maintenance.sweepExpired(now, new Date(0), 100);
      assert.equal(swept.record_hashes, 1);
      // Another tenant sees none of them.
      const other = await createTestConnection(store, 'Other');
      assert.deepEqual(await store.events.readHashes(other.tenant_id, connection.id, 'customers', null), []);
    });

    it('sweeps the hashes a complete snapshot did not stamp, in its transaction', async () => {
      await store.events.append({
        connection,
        envelopes: [],
        dedupeWindowMs: day,
        hashes: { ...hashes('s1', ['x', 'y', 'z']), stream: 'snap' },
      });
      await store.events.append({
        connection,
        envelopes: [],
        dedupeWindowMs: day,
        hashes: { ...hashes('s2', ['x'], { sweep: true }), stream: 'snap' },
      });
      const left = await store.events.readHashes(connection.tenant_id, connection.id, 'snap', null);
      assert.deepEqual(
        left.map((h) => [h.record_id, h.generation]),
        [['x', 's2']],
      );
    });

    it('commits nothing of a refused page: neither hashes nor cursor', async () => {
      const retired = await createTestConnection(store, 'Retired');
      await store.connections.retire(retired.tenant_id, retired.id);
      const result = await store.events
        .append({
          connection: retired,
          envelopes: [preparedEnvelope(retired, 'r1')],
          dedupeWindowMs: day,
          cursor: { stream: 'customers', cursor: 'never' },
          hashes: hashes('g', ['r']),
        })
        .catch((error: unknown) => error);
      assert.ok(result instanceof Error);
      assert.deepEqual(await store.events.readHashes(retired.tenant_id, retired.id, 'customers', null), []);
      assert.equal(await store.events.readCursor(retired.tenant_id, retired.id, 'customers'), null);
    });

    it('dedupes against the stored envelopes past the dedupe window when asked, and only then', async () => {
      const envelope = preparedEnvelope(connection, 'old');
      const first = await store.events.append({ connection, envelopes: [envelope], dedupeWindowMs: day });
      assert.equal(first.status === 'committed' && first.outcomes[0]?.status, 'accepted');
      const original = first.status === 'committed' ? first.outcomes[0]?.event_id : undefined;
      now = new Date(now.getTime() + 3 * day);
      await store.maintenance.sweepExpired(now, new Date(0), 1000);
      const backfill = await store.events.append({
        connection,
        envelopes: [envelope, preparedEnvelope(connection, 'new')],
        dedupeWindowMs: day,
        dedupeAgainstLog: true,
      });
      assert.equal(backfill.status, 'committed');
      if (backfill.status !== 'committed') return;
      assert.deepEqual(
        backfill.outcomes.map((o) => o.status),
        ['duplicate', 'accepted'],
      );
      assert.equal(backfill.outcomes[0]?.event_id, original);
      // Without the option, a key whose window closed is new again.
      const plain = await store.events.append({ connection, envelopes: [envelope], dedupeWindowMs: day });
      assert.equal(plain.status === 'committed' && plain.outcomes[0]?.status, 'accepted');
    });

    it('keeps backfills by tenant, adds each page to its counts in the page transaction, lists running ones', async () => {
      const backfill = await store.backfills.create({
        id: `bfl_${Math.random().toString(16).slice(2)}`,
        tenant_id: connection.tenant_id,
        connection_id: connection.id,
        stream: 'customers',
        since: '2026-01-01T00:00:00.000Z',
        until: '2026-02-01T00:00:00.000Z',
        mode: 'quiet',
      });
      assert.equal(backfill.status, 'running');
      assert.equal(backfill.cursor_key, `backfill:${backfill.id}`);
      assert.deepEqual(backfill.counts, { pages: 0, records: 0, emitted: 0, duplicates: 0 });
      const page = [
        preparedEnvelope(connection, 'b1', { mode: 'quiet' }),
        preparedEnvelope(connection, 'old'),
      ];
      await store.events.append({
        connection,
        envelopes: page,
        dedupeWindowMs: day,
        dedupeAgainstLog: true,
        cursor: { stream: backfill.cursor_key, cursor: 'c1' },
        backfill: { id: backfill.id, records: 2 },
      });
      const got = await store.backfills.get(connection.tenant_id, backfill.id);
      assert.deepEqual(got?.counts, { pages: 1, records: 2, emitted: 1, duplicates: 1 });
      assert.equal(await store.backfills.get('ten_other', backfill.id), null);
      assert.ok((await store.backfills.running()).some((b) => b.id === backfill.id));
      const done = await store.backfills.update(connection.tenant_id, backfill.id, {
        status: 'completed',
        error: null,
      });
      assert.equal(done?.status, 'completed');
      assert.deepEqual(done?.counts, got?.counts);
      assert.ok(!(await store.backfills.running()).some((b) => b.id === backfill.id));
    });
  });
}
