import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ClaimedJob, Stores } from '@sluice/core';
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

    it('under saturation, a freed slot goes to the tenant running fewest, however old the flood', async () => {
      const SLOTS = 4;
      const flood = await queueWorld(store, 'Aged flood');
      const quiet = await queueWorld(store, 'Fresh quiet');
      await store.jobs.createMany(
        Array.from({ length: 40 }, (_, n) => queueJob(flood, n, { entity_key: null })),
      );
      const running = [...(await store.queue.claim(claimOf('exec', SLOTS)))];
      assert.equal(running.length, SLOTS, 'the flood fills every slot');
      // The flood's backlog waits long enough to age to P1; the quiet tenant's work is a fresh P2 and P4.
      later(5 * minute);
      await store.jobs.createMany([
        queueJob(quiet, 100, { entity_key: null, priority: 'P2' }),
        queueJob(quiet, 101, { entity_key: null, priority: 'P4' }),
      ]);
      const freeOne = async () => {
        // The running jobs are alive (their executor heartbeats): their leases do not lapse.
        await store.queue.heartbeat(
          'exec',
          running.map((item) => item.job.id),
          30_000,
        );
        await succeedAll(store.queue, 'exec', running.splice(0, 1), now);
        const claimed = await store.queue.claim(claimOf('exec', 1));
        running.push(...claimed);
        return claimed.map((item) => item.job.tenant_id);
      };
      assert.deepEqual(await freeOne(), [quiet.tenant_id], 'its P2 takes the first freed slot');
      assert.deepEqual(await freeOne(), [quiet.tenant_id], 'and its P4 the next: one running vs three');
      assert.deepEqual(await freeOne(), [flood.tenant_id], 'then the flood again');
    });

    it('counts, not timings: a quiet job is never overtaken by a 10x tenant on a saturated queue', async () => {
      const SLOTS = 6;
      const noisy = await queueWorld(store, 'Noisy 10x');
      const quiet = await queueWorld(store, 'Quiet 1x');
      let n = 0;
      const offer = (world: typeof noisy, count: number) =>
        store.jobs.createMany(
          Array.from({ length: count }, () => queueJob(world, n++, { entity_key: null, priority: 'P2' })),
        );
      const running: ClaimedJob[] = [];
      /** Claims made since each waiting quiet job arrived, by tenant. */
      const waiting = new Map<string, { noisy: number }>();
      const overtaken: number[] = [];
      const claimed = { noisy: 0, quiet: 0 };
      await offer(noisy, 60);
      for (let step = 0; step < 120; step++) {
        // The noisy tenant offers ten times the quiet one's load, and far more than the slots can run.
        await offer(noisy, 10);
        if (step % 3 === 0) {
          await offer(quiet, 1);
          waiting.set(`q${n - 1}`, { noisy: 0 });
        }
        // A second a step: the backlog ages to P1 within the run, so aging is part of what is checked.
        later(1000);
        // Saturated: a slot frees only when a job ends (the oldest running one here).
        if (running.length >= SLOTS) {
          const done = running.shift();
          if (done !== undefined) await succeedAll(store.queue, 'exec', [done], now);
        }
        let noisyInClaim = 0;
        for (const item of await store.queue.claim(claimOf('exec', SLOTS - running.length))) {
          running.push(item);
          if (item.job.tenant_id === quiet.tenant_id) {
            claimed.quiet++;
            const key = `q${Number(item.job.position.split('.')[1])}`;
            overtaken.push(waiting.get(key)?.noisy ?? -1);
            waiting.delete(key);
          } else {
            claimed.noisy++;
            noisyInClaim++;
          }
        }
        // Noisy jobs a claim took while a quiet job was left waiting overtook it.
        for (const wait of waiting.values()) wait.noisy += noisyInClaim;
      }
      process.stdout.write(
        `# saturated queue, ${SLOTS} slots: quiet claimed ${claimed.quiet} of 40 offered, noisy ${claimed.noisy}; noisy jobs claimed while a quiet job was left waiting: max ${Math.max(...overtaken)}\n`,
      );
      assert.equal(claimed.quiet + waiting.size, 40);
      assert.ok(waiting.size <= 1, `${waiting.size} quiet jobs still waiting`);
      assert.ok(
        overtaken.every((count) => count === 0),
        `noisy jobs claimed while a quiet job waited: ${overtaken.join(',')}`,
      );
      assert.ok(claimed.noisy > claimed.quiet, 'the noisy tenant still gets the slots the quiet one leaves');
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
