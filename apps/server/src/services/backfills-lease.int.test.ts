import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Connection, PollPage, Stores } from '@sluice/core';
import { createIngestor } from '@sluice/ingest';
import { defineConnector } from '@sluice/map';
import { PollPass } from '@sluice/receive';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { Backfills } from './backfills.ts';

const LEASE_MS = 60_000;
const PAGES = 3;

/** A stream of PAGES pages, one emission each; `gate` (when set) holds each page until it resolves. */
function pagedConnector(calls: { count: number; gate: Promise<void> | null }) {
  return defineConnector({
    id: 'paged',
    streams: [{ key: 'items', mode: 'poll', events: ['item.seen'] }],
    poll: {
      async items(_ctx, request): Promise<PollPage> {
        calls.count++;
        if (calls.gate !== null) await calls.gate;
        const page = request.cursor === null ? 0 : Number(request.cursor);
        return {
          emissions: [
            {
              source: 'paged',
              event_type: 'item.seen',
              dedupe_key: `item:${page}`,
              payload: { entity: { kind: 'item', id: String(page) } },
            },
          ],
          cursor: String(page + 1),
          hasMore: page + 1 < PAGES,
        };
      },
    },
  });
}

for (const adapter of STORE_ADAPTERS) {
  describe(`backfill leases over ${adapter.name}: one process works a backfill at a time`, () => {
    const dbs: TestDatabase[] = [];
    after(() => Promise.all(dbs.map((db) => db.drop())));

    /** A database, a connection, and `workers()` backfill services over it, as separate processes. */
    const world = async () => {
      const db = await adapter.open();
      dbs.push(db);
      let now = new Date('2026-06-01T00:00:00.000Z');
      const clock = () => now;
      const setup: Stores = db.store({ now: clock });
      await setup.maintenance.migrate();
      const calls = { count: 0, gate: null as Promise<void> | null };
      const connector = pagedConnector(calls);
      const connectors = { get: (id: string) => (id === connector.id ? connector : null) };
      const tenant = await setup.tenancy.createTenant({ name: `lease ${Math.random()}` });
      const connection: Connection = await setup.connections.create({
        tenant_id: tenant.id,
        workspace_id: null,
        connector_id: connector.id,
        name: 'paged',
        config: {},
        secret_ciphertext: 'v1:x',
      });
      const worker = (owner: string, leaseMs = LEASE_MS) => {
        const store = db.store({ now: clock });
        const ingestor = createIngestor({ events: store.events, connectors, now: clock });
        return new Backfills({
          backfills: store.backfills,
          connections: store.connections,
          connectors,
          pass: new PollPass({ connectors, ingestor, events: store.events, now: clock }),
          now: clock,
          owner,
          leaseMs,
          takeoverEveryMs: 3_600_000, // rounds are run by hand here
        });
      };
      const backfill = await setup.backfills.create({
        id: `bfl_${Math.random().toString(16).slice(2)}`,
        tenant_id: tenant.id,
        connection_id: connection.id,
        stream: 'items',
        since: '2026-01-01T00:00:00.000Z',
        until: '2026-02-01T00:00:00.000Z',
        mode: 'quiet',
      });
      return {
        db,
        setup,
        calls,
        backfill,
        worker,
        advance(ms: number) {
          now = new Date(now.getTime() + ms);
        },
        read: async () => setup.backfills.get(tenant.id, backfill.id),
      };
    };

    it('two processes resuming at once: one runs the backfill, the other leaves it alone', async () => {
      const w = await world();
      const a = w.worker('process-a');
      const b = w.worker('process-b');
      try {
        await Promise.all([a.start(), b.start()]);
        await Promise.all([a.settled(w.backfill.id), b.settled(w.backfill.id)]);
        const done = await w.read();
        assert.equal(done?.status, 'completed');
        assert.equal(w.calls.count, PAGES, 'each page fetched once: one process worked it');
        assert.deepEqual(done?.counts, { pages: PAGES, records: PAGES, emitted: PAGES, duplicates: 0 });
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });

    it('a backfill whose holder died is taken over once its lease lapses, and not before', async () => {
      const w = await world();
      // A process claimed it and then died: nobody renews its lease.
      assert.equal((await w.setup.backfills.claim('died', LEASE_MS)).length, 1);
      const b = w.worker('process-b');
      try {
        await b.start();
        assert.equal(await b.claimRound(), 0, 'a held lease is left alone');
        assert.equal(w.calls.count, 0);
        w.advance(LEASE_MS + 1);
        assert.equal(await b.claimRound(), 1, 'a lapsed lease is taken over');
        await b.settled(w.backfill.id);
        assert.equal((await w.read())?.status, 'completed');
        assert.equal(w.calls.count, PAGES);
      } finally {
        await b.stop();
      }
    });

    it('a process whose lease was taken over stops at its next heartbeat, leaving the backfill running', async () => {
      const w = await world();
      let open = (): void => {};
      w.calls.gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const a = w.worker('process-a', 300);
      try {
        await a.start();
        for (let i = 0; i < 100 && w.calls.count === 0; i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(w.calls.count, 1, 'process-a is fetching its first page');
        // Another process took the backfill over (process-a hung past its lease, say).
        await w.db.client.query("UPDATE backfills SET lease_owner = 'process-b' WHERE id = $1", [
          w.backfill.id,
        ]);
        // process-a's next heartbeat (every 100 ms) finds the lease gone and aborts its pass.
        const settled = a.settled(w.backfill.id);
        await new Promise((r) => setTimeout(r, 400));
        open();
        await settled;
        const latest = await w.read();
        assert.equal(latest?.status, 'running', 'the aborted pass did not finish the backfill');
        assert.ok((latest?.counts.pages ?? 0) <= 1, 'it stopped at the page it was on');
        const [row] = await w.db.client.query<{ lease_owner: string }>(
          'SELECT lease_owner FROM backfills WHERE id = $1',
          [w.backfill.id],
        );
        assert.equal(row?.lease_owner, 'process-b', 'and it did not release what it no longer held');
      } finally {
        open();
        await a.stop();
      }
    });
  });
}
