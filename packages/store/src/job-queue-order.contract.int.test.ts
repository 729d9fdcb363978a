import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Stores } from '@sluice/core';
import { claimStatement } from './job-claim.ts';
import {
  claimOf,
  clearQueue,
  queueJob,
  queueWorld,
  STORE_ADAPTERS,
  succeedAll,
  type TestDatabase,
} from './testing/index.ts';

const minute = 60_000;

for (const adapter of STORE_ADAPTERS) {
  describe(`job queue contract, priority and fairness: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let now = new Date('2030-05-01T08:00:00.000Z');
    const clock = () => now;
    const later = (ms: number) => {
      now = new Date(now.getTime() + ms);
    };

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: clock, jobAgingMs: minute });
      await store.maintenance.migrate();
    });
    after(() => db.drop());
    beforeEach(() => clearQueue(db.client));

    it('gives one free slot to the tenant running fewest, not to the one that waited longest', async () => {
      const busy = await queueWorld(store, 'Busy turn');
      const quiet = await queueWorld(store, 'Quiet turn');
      await store.jobs.createMany([
        queueJob(busy, 0, { entity_key: null }),
        queueJob(busy, 1, { entity_key: null }),
        queueJob(busy, 2, { entity_key: null }),
      ]);
      assert.equal((await store.queue.claim(claimOf('exec', 2))).length, 2, 'busy runs two');
      later(1000);
      await store.jobs.createMany([queueJob(quiet, 3, { entity_key: null })]);
      later(1000);
      const [next] = await store.queue.claim(claimOf('exec', 1));
      assert.equal(next?.job.tenant_id, quiet.tenant_id, 'the quiet tenant, though busy waited longer');
    });

    it('claims P1 before an older P4, and oldest first within a priority', async () => {
      const world = await queueWorld(store, 'Priority');
      await store.jobs.createMany([queueJob(world, 0, { entity_key: null, priority: 'P4' })]);
      later(1000);
      await store.jobs.createMany([queueJob(world, 1, { entity_key: null, priority: 'P2' })]);
      later(1000);
      await store.jobs.createMany([
        queueJob(world, 2, { entity_key: null, priority: 'P1' }),
        queueJob(world, 3, { entity_key: null, priority: 'P2' }),
      ]);
      later(1000);
      const claimed = [];
      for (let i = 0; i < 4; i++) claimed.push(...(await store.queue.claim(claimOf('exec', 1))));
      assert.deepEqual(
        claimed.map((item) => `${item.job.priority}@${item.job.position}`),
        ['P1@1002.2', 'P2@1001.1', 'P2@1003.3', 'P4@1000.0'],
      );
    });

    it('ages a waiting P4 one level a minute, until it overtakes a new P2', async () => {
      const world = await queueWorld(store, 'Aging');
      await store.jobs.createMany([queueJob(world, 0, { entity_key: null, priority: 'P4' })]);
      later(minute + 1000);
      await store.jobs.createMany([queueJob(world, 1, { entity_key: null, priority: 'P2' })]);
      const [young] = await store.queue.claim(claimOf('exec', 1));
      assert.equal(young?.job.priority, 'P2', 'a P4 one minute old ranks P3: below a new P2');
      await succeedAll(store.queue, 'exec', young === undefined ? [] : [young], now);
      await store.jobs.createMany([queueJob(world, 2, { entity_key: null, priority: 'P2' })]);
      later(2 * minute);
      await store.jobs.createMany([queueJob(world, 3, { entity_key: null, priority: 'P2' })]);
      const [old] = await store.queue.claim(claimOf('exec', 1));
      assert.equal(old?.job.position, '1000.0', 'three minutes old, the P4 ranks P1 and goes first');
      const [next] = await store.queue.claim(claimOf('exec', 1));
      assert.equal(
        next?.job.position,
        '1002.2',
        'the P2 that waited two minutes (now P1) before the new one',
      );
    });

    it('takes turns across tenants, and caps a tenant at its concurrency', async () => {
      const flood = await queueWorld(store, 'Flood');
      const quiet = await queueWorld(store, 'Quiet');
      await store.jobs.createMany(
        Array.from({ length: 1000 }, (_, n) => queueJob(flood, n, { entity_key: `order:${n}` })),
      );
      later(1000);
      await store.jobs.createMany(
        Array.from({ length: 10 }, (_, n) => queueJob(quiet, n, { entity_key: null })),
      );
      const first = await store.queue.claim(claimOf('exec', 10));
      const count = (tenantId: string) => first.filter((item) => item.job.tenant_id === tenantId).length;
      assert.equal(count(quiet.tenant_id), 5, 'the quiet tenant gets every other slot');
      assert.equal(count(flood.tenant_id), 5);
      assert.deepEqual(
        first.filter((item) => item.job.tenant_id === flood.tenant_id).map((item) => item.job.position),
        ['1000.0', '1001.1', '1002.2', '1003.3', '1004.4'],
        'oldest first within the tenant',
      );
      // Five running each: a cap of 7 leaves two more each.
      const capped = await store.queue.claim(claimOf('exec', 50, 7));
      assert.equal(capped.filter((item) => item.job.tenant_id === flood.tenant_id).length, 2);
      assert.equal(capped.filter((item) => item.job.tenant_id === quiet.tenant_id).length, 2);
      assert.deepEqual(await store.queue.claim(claimOf('exec', 50, 7)), [], 'both at the cap');
      await succeedAll(
        store.queue,
        'exec',
        first.filter((item) => item.job.tenant_id === flood.tenant_id).slice(0, 3),
        now,
      );
      const freed = await store.queue.claim(claimOf('exec', 50, 7));
      assert.deepEqual(
        freed.map((item) => item.job.tenant_id),
        [flood.tenant_id, flood.tenant_id, flood.tenant_id],
      );
    });

    it('holds the tenant cap across claimers claiming at once', async () => {
      const busy = await queueWorld(store, 'Capped');
      await store.jobs.createMany(
        Array.from({ length: 100 }, (_, n) => queueJob(busy, n, { entity_key: null })),
      );
      const claimers = Array.from({ length: 4 }, () => db.store({ now: clock }));
      const claims = await Promise.all(
        claimers.map((claimer, c) => claimer.queue.claim(claimOf(`exec-${c}`, 3, 5))),
      );
      assert.equal(claims.flat().length, 5, 'twelve asked for, five allowed');
      assert.equal(new Set(claims.flat().map((item) => item.job.id)).size, 5);
    });

    it('claims other work at once while 1,000 entities are blocked, reading heads by index', async () => {
      const blocked = await queueWorld(store, 'Blocked');
      await store.jobs.createMany(
        Array.from({ length: 2000 }, (_, n) => queueJob(blocked, n, { entity_key: `order:${n % 1000}` })),
      );
      const running = await store.queue.claim(claimOf('stuck', 2000));
      assert.equal(running.length, 1000, 'one job of each entity runs; its second waits');
      assert.ok(running.every((item) => Number(item.job.position.split('.')[1]) < 1000));
      const other = await queueWorld(store, 'Other');
      await store.jobs.createMany(
        Array.from({ length: 20 }, (_, n) => queueJob(other, n, { entity_key: `order:${n}` })),
      );
      // With sequential scans priced out, the plan shows that every read of the claim has an index path
      // (a table this small would otherwise be scanned whole, which says nothing of a large one).
      const plan = await db.client.transaction(async (tx) => {
        await tx.query('ANALYZE jobs');
        await tx.query('SET LOCAL enable_seqscan = off');
        return tx.query<Record<string, string>>(`EXPLAIN ${claimStatement(false)}`, [
          'exec',
          now,
          50,
          new Date(now.getTime() + 30_000),
          60,
        ]);
      });
      const text = plan.map((row) => Object.values(row).join('')).join('\n');
      assert.match(text, /jobs_claimable/, text);
      assert.doesNotMatch(text, /Seq Scan on jobs/, text);
      const started = performance.now();
      const claimed = await store.queue.claim(claimOf('exec', 50));
      const took = performance.now() - started;
      assert.equal(claimed.length, 20);
      assert.ok(claimed.every((item) => item.job.tenant_id === other.tenant_id));
      assert.ok(took < 2000, `a claim past 1,000 blocked entities took ${took} ms`);
      const depth = await store.queue.depth();
      assert.deepEqual(
        depth.find((row) => row.tenant_id === blocked.tenant_id),
        { tenant_id: blocked.tenant_id, priority: 'P2', queued: 1000, running: 1000 },
      );
    });
  });
}
