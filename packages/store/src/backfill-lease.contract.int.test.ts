import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backfill, Connection, Stores } from '@sluice/core';
import { createTestConnection, STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

const LEASE_MS = 30_000;

for (const adapter of STORE_ADAPTERS) {
  describe(`backfill lease contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    // Two workers over one database, as two processes see it, on one clock the test moves.
    let a: Stores;
    let b: Stores;
    let connection: Connection;
    let now = new Date('2026-06-01T00:00:00.000Z');

    before(async () => {
      db = await adapter.open();
      a = db.store({ now: () => now });
      b = db.store({ now: () => now });
      await a.maintenance.migrate();
      connection = await createTestConnection(a, 'Backfiller');
    });
    after(() => db.drop());

    const newBackfill = (): Promise<Backfill> =>
      a.backfills.create({
        id: `bfl_${Math.random().toString(16).slice(2)}`,
        tenant_id: connection.tenant_id,
        connection_id: connection.id,
        stream: 'customers',
        since: '2026-01-01T00:00:00.000Z',
        until: '2026-02-01T00:00:00.000Z',
        mode: 'quiet',
      });

    it('gives each running backfill to one of two workers claiming at once', async () => {
      const made = await Promise.all(Array.from({ length: 6 }, newBackfill));
      const [fromA, fromB] = await Promise.all([
        a.backfills.claim('worker-a', LEASE_MS),
        b.backfills.claim('worker-b', LEASE_MS),
      ]);
      const claimed = [...(fromA ?? []), ...(fromB ?? [])].map((x) => x.id).sort();
      assert.deepEqual(claimed, made.map((x) => x.id).sort(), 'every backfill claimed once, none by both');
      // Held leases are not claimed again, by either worker.
      assert.deepEqual(await a.backfills.claim('worker-a', LEASE_MS), []);
      assert.deepEqual(await b.backfills.claim('worker-b', LEASE_MS), []);
    });

    it('renews only for its holder, lets another take over once the lease lapses, and the old holder learns it', async () => {
      now = new Date(now.getTime() + 2 * LEASE_MS); // the first test's leases lapse: start clean
      await a.backfills.claim('sweeper', LEASE_MS);
      const backfill = await newBackfill();
      const [held] = await a.backfills.claim('worker-a', LEASE_MS, { id: backfill.id });
      assert.equal(held?.id, backfill.id);
      assert.deepEqual(await b.backfills.claim('worker-b', LEASE_MS, { id: backfill.id }), []);
      assert.equal(
        await b.backfills.renewLease(connection.tenant_id, backfill.id, 'worker-b', LEASE_MS),
        false,
      );
      assert.equal(await a.backfills.renewLease('ten_other', backfill.id, 'worker-a', LEASE_MS), false);
      // A heartbeat keeps it: past the first expiry, still held.
      now = new Date(now.getTime() + LEASE_MS / 2);
      assert.equal(
        await a.backfills.renewLease(connection.tenant_id, backfill.id, 'worker-a', LEASE_MS),
        true,
      );
      now = new Date(now.getTime() + LEASE_MS - 1);
      assert.deepEqual(await b.backfills.claim('worker-b', LEASE_MS, { id: backfill.id }), []);
      // No heartbeat for a whole lease: worker-b takes it over, and worker-a's next heartbeat fails.
      now = new Date(now.getTime() + LEASE_MS);
      const [taken] = await b.backfills.claim('worker-b', LEASE_MS, { id: backfill.id });
      assert.equal(taken?.id, backfill.id);
      assert.equal(
        await a.backfills.renewLease(connection.tenant_id, backfill.id, 'worker-a', LEASE_MS),
        false,
      );
      assert.equal(
        await b.backfills.renewLease(connection.tenant_id, backfill.id, 'worker-b', LEASE_MS),
        true,
      );
    });

    it('a released lease is free at once; a finished backfill is never claimed', async () => {
      const backfill = await newBackfill();
      await a.backfills.claim('worker-a', LEASE_MS, { id: backfill.id });
      await b.backfills.releaseLease(connection.tenant_id, backfill.id, 'worker-b'); // not b's: no effect
      assert.deepEqual(await b.backfills.claim('worker-b', LEASE_MS, { id: backfill.id }), []);
      await a.backfills.releaseLease(connection.tenant_id, backfill.id, 'worker-a');
      const [taken] = await b.backfills.claim('worker-b', LEASE_MS, { id: backfill.id });
      assert.equal(taken?.id, backfill.id);
      await b.backfills.update(connection.tenant_id, backfill.id, { status: 'completed' });
      now = new Date(now.getTime() + 2 * LEASE_MS);
      assert.deepEqual(await a.backfills.claim('worker-a', LEASE_MS, { id: backfill.id }), []);
      assert.equal(
        await b.backfills.renewLease(connection.tenant_id, backfill.id, 'worker-b', LEASE_MS),
        false,
      );
    });
  });
}
