import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type PollPage, type PollRequest, RateLimitedError, rateLimitedFrom } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { pollWorld, recordsConnector } from '../testing/poll-world.ts';

const day = 24 * 3600 * 1000;
const pages: Record<string, PollPage> = {
  start: { emissions: [], records: [{ id: 'a' }, { id: 'b' }], cursor: 'b', hasMore: true },
  b: { emissions: [], records: [{ id: 'c' }], cursor: 'c', hasMore: true },
  c: { emissions: [], records: [{ id: 'd' }], cursor: 'd', hasMore: false },
};

for (const adapter of STORE_ADAPTERS) {
  describe(`poll pass over ${adapter.name}`, () => {
    const dbs: TestDatabase[] = [];
    after(() => Promise.all(dbs.map((db) => db.drop())));
    const open = async () => {
      const db = await adapter.open();
      dbs.push(db);
      return db;
    };

    it('commits each page with its cursor; a pass that fails mid-way resumes after the last committed page', async () => {
      const asked: Array<string | null> = [];
      let failOn: string | null = 'c';
      const connector = recordsConnector(async (_ctx, request: PollRequest) => {
        asked.push(request.cursor);
        if (request.cursor === failOn) throw new Error('connection reset');
        return pages[request.cursor ?? 'start'] as PollPage;
      });
      const world = await pollWorld(await open(), connector);
      const cursorKey = 'backfill:test';
      const first = await world.run({ cursorKey });
      assert.equal(first.status, 'failed');
      assert.equal(first.pages, 2);
      assert.equal(first.emitted, 3);
      assert.equal(
        await world.store.events.readCursor(world.connection.tenant_id, world.connection.id, cursorKey),
        'c',
      );
      failOn = null;
      const second = await world.run({ cursorKey });
      assert.equal(second.status, 'completed');
      assert.equal(second.pages, 1);
      assert.equal(second.emitted, 1);
      assert.deepEqual(asked, [null, 'b', 'c', 'c']);
      const all = await world.store.events.query(world.connection.tenant_id, {}, { limit: 100 });
      assert.equal(all.items.length, 4);
    });

    it('dedupes a re-run against the stored envelopes after the dedupe window has passed', async () => {
      const records = [{ id: 'a', v: 1 }];
      const connector = recordsConnector(async () => ({
        emissions: [],
        records,
        cursor: null,
        hasMore: false,
      }));
      const world = await pollWorld(await open(), connector);
      assert.equal((await world.run({ cursorKey: 'backfill:1', dedupeAgainstLog: true })).emitted, 1);
      world.advance(30 * day); // dedupe window and hash TTL both over
      await world.store.maintenance.sweepExpired(new Date('2027-01-01T00:00:00Z'), new Date(0), 1000);
      const rerun = await world.run({ cursorKey: 'backfill:2', dedupeAgainstLog: true });
      assert.equal(rerun.emitted, 0);
      assert.equal(rerun.duplicates, 1);
    });

    it('stores quiet envelopes without outbox rows', async () => {
      const connector = recordsConnector(async () => ({
        emissions: [],
        records: [{ id: 'q' }],
        cursor: null,
        hasMore: false,
      }));
      const world = await pollWorld(await open(), connector);
      const result = await world.run({ mode: 'quiet' });
      assert.equal(result.emitted, 1);
      const stored = await world.store.events.query(
        world.connection.tenant_id,
        { mode: 'quiet' },
        { limit: 10 },
      );
      assert.equal(stored.items.length, 1);
      assert.equal(await world.store.outbox.pendingCount(), 0);
    });

    it('ends rate_limited with the time a 429 Retry-After names, committing nothing of that page', async () => {
      const now = new Date('2026-06-01T00:00:00.000Z');
      const connector = recordsConnector(async () => {
        const limited = rateLimitedFrom({ status: 429, headers: new Headers({ 'retry-after': '120' }) }, now);
        throw limited ?? new Error('unreachable');
      });
      const world = await pollWorld(await open(), connector);
      const result = await world.run();
      assert.equal(result.status, 'rate_limited');
      assert.equal(result.rateLimitedUntil, '2026-06-01T00:02:00.000Z');
      assert.equal(result.pages, 0);
      assert.ok(new RateLimitedError(now) instanceof Error);
    });
  });
}
