import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ClaimedJob, Stores } from '@sluice/core';
import {
  attemptAt,
  claimOf,
  clearQueue,
  queueJob,
  queueWorld,
  STORE_ADAPTERS,
  succeedAll,
  type TestDatabase,
} from './testing/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const adapter of STORE_ADAPTERS) {
  describe(`job queue contract, single-flight: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let now = new Date('2030-05-01T08:00:00.000Z');
    const clock = () => now;

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: clock });
      await store.maintenance.migrate();
    });
    after(() => db.drop());
    beforeEach(() => clearQueue(db.client));

    it('runs 200 jobs of one entity one at a time, in event order, with 4 claimers at once', async () => {
      const world = await queueWorld(store, 'Flight');
      const jobs = Array.from({ length: 200 }, (_, n) => queueJob(world, n, { entity_key: 'order:7' }));
      // Created in several calls, as a router does: the claim follows creation order (the router creates a
      // connection's jobs in its event sequence), not the order of the calls' keys.
      for (let from = 0; from < 200; from += 40) {
        assert.equal(await store.jobs.createMany(jobs.slice(from, from + 40)), 40);
      }
      const claimers = Array.from({ length: 4 }, () => db.store({ now: clock }));
      const order: string[] = [];
      let holding = 0;
      let most = 0;
      const deadline = Date.now() + 60_000;
      await Promise.all(
        claimers.map(async (claimer, c) => {
          const owner = `exec-${c}`;
          while (order.length < 200 && Date.now() < deadline) {
            const claimed = await claimer.queue.claim(claimOf(owner, 5));
            if (claimed.length === 0) {
              await sleep(2);
              continue;
            }
            for (const item of claimed) {
              holding++;
              most = Math.max(most, holding);
              order.push(item.job.position);
              await sleep(0);
              holding--;
              await succeedAll(claimer.queue, owner, [item], now);
            }
          }
        }),
      );
      assert.equal(most, 1, 'never two jobs of the entity held at once');
      assert.deepEqual(
        order,
        jobs.map((job) => job.position),
        'claimed in event order',
      );
    });

    it('keeps each entity in order while routers add its jobs and claimers take them at once', async () => {
      const world = await queueWorld(store, 'Routers', 10);
      const entities = ['order:a', 'order:b'];
      const expected = new Map(entities.map((entity) => [entity, [] as string[]]));
      const seen = new Map(entities.map((entity) => [entity, [] as string[]]));
      const held = new Set<string>();
      let overlaps = 0;
      let routed = 0;
      const routers = entities.map(async (entity, r) => {
        const router = db.store({ now: clock });
        for (let batch = 0; batch < 10; batch++) {
          const jobs = Array.from({ length: 10 }, (_, i) => {
            const n = r * 1000 + batch * 10 + i;
            return queueJob(world, n, { entity_key: entity, event: i, trigger_id: `trg_r${n}` });
          });
          await router.jobs.createMany(jobs);
          expected.get(entity)?.push(...jobs.map((job) => job.position));
          routed += jobs.length;
          await sleep(1);
        }
      });
      const claimers = Array.from({ length: 3 }, async (_, c) => {
        const claimer = db.store({ now: clock });
        const owner = `exec-${c}`;
        const deadline = Date.now() + 60_000;
        for (;;) {
          const done = [...seen.values()].reduce((sum, list) => sum + list.length, 0);
          if ((routed === 200 && done === 200) || Date.now() > deadline) return;
          const claimed = await claimer.queue.claim(claimOf(owner, 4));
          if (claimed.length === 0) await sleep(2);
          for (const item of claimed) {
            const entity = item.job.entity_key as string;
            if (held.has(entity)) overlaps++;
            held.add(entity);
            seen.get(entity)?.push(item.job.position);
            await sleep(0);
            held.delete(entity);
            await succeedAll(claimer.queue, owner, [item], now);
          }
        }
      });
      await Promise.all([...routers, ...claimers]);
      assert.equal(overlaps, 0);
      for (const entity of entities) assert.deepEqual(seen.get(entity), expected.get(entity), entity);
    });

    it('refuses a second running job of one entity in the database itself', async () => {
      const world = await queueWorld(store, 'Index');
      await store.jobs.createMany([0, 1].map((n) => queueJob(world, n, { entity_key: 'order:9' })));
      await assert.rejects(
        db.client.query(`UPDATE jobs SET status = 'running' WHERE tenant_id = $1`, [world.tenant_id]),
        /jobs_single_flight|duplicate key/,
      );
      await assert.rejects(
        db.client.query(
          `UPDATE jobs SET status = CASE WHEN seq = (SELECT min(seq) FROM jobs WHERE tenant_id = $1)
             THEN 'running' ELSE 'retrying' END WHERE tenant_id = $1`,
          [world.tenant_id],
        ),
        /jobs_single_flight|duplicate key/,
        'a retrying job holds its entity as a running one does',
      );
    });

    it('keeps the entity blocked while a job waits for its retry, and releases it when dead-lettered', async () => {
      const world = await queueWorld(store, 'Retry');
      await store.jobs.createMany([0, 1].map((n) => queueJob(world, n, { entity_key: 'order:3' })));
      const [first] = await store.queue.claim(claimOf('exec-a', 10));
      assert.ok(first !== undefined);
      assert.equal(first.attempt, 1);
      assert.equal(first.job.position, '1000.0');
      const retryAt = new Date(now.getTime() + 10_000);
      assert.equal(
        await store.queue.finish('exec-a', first.job.id, {
          kind: 'retry',
          attempt: attemptAt(now, 503),
          run_after: retryAt.toISOString(),
        }),
        true,
      );
      assert.equal((await store.jobs.get(world.tenant_id, first.job.id))?.status, 'retrying');
      assert.deepEqual(
        await store.queue.claim(claimOf('exec-a', 10)),
        [],
        'the next job waits for the retry',
      );
      now = new Date(retryAt.getTime() + 1);
      const [again] = await store.queue.claim(claimOf('exec-b', 10));
      assert.equal(again?.job.id, first.job.id);
      assert.equal(again?.attempt, 2);
      assert.equal(again?.job.attempts.length, 2);
      assert.equal(again?.job.attempts[0]?.status_code, 503);
      assert.equal(
        await store.queue.finish('exec-b', first.job.id, {
          kind: 'dead_lettered',
          attempt: attemptAt(now, 500),
          dead_letter: {
            tenant_id: world.tenant_id,
            connector: 'test-orders',
            connection_id: world.connection.id,
            event_payload: { body_base64: '', headers: {}, content_type: null },
            error_message: 'gave up after 2 attempts',
            error_context: { job_id: first.job.id },
          },
        }),
        true,
      );
      const letters = await store.deadLetters.list(world.tenant_id, {}, { limit: 10 });
      assert.equal(letters.items.length, 1);
      assert.equal(letters.items[0]?.kind, 'job');
      assert.equal(letters.items[0]?.job_id, first.job.id);
      const [second] = await store.queue.claim(claimOf('exec-a', 10));
      assert.equal(second?.job.position, '1001.1', 'the dead letter released the entity');
    });

    it('runs jobs without an entity side by side, and other entities while one is blocked', async () => {
      const world = await queueWorld(store, 'Free');
      await store.jobs.createMany([
        ...[0, 1, 2, 3, 4].map((n) => queueJob(world, n, { entity_key: null })),
        ...[5, 6].map((n) => queueJob(world, n, { entity_key: 'order:5' })),
        ...[7, 8].map((n) => queueJob(world, n, { entity_key: 'order:6' })),
      ]);
      const claimed = await store.queue.claim(claimOf('exec-a', 20));
      const positions = claimed.map((item: ClaimedJob) => item.job.position).sort();
      assert.deepEqual(positions, ['1000.0', '1001.1', '1002.2', '1003.3', '1004.4', '1005.5', '1007.7']);
      for (const item of claimed) {
        assert.equal(item.job.status, 'running');
        assert.equal(item.envelope.event_id, world.events[0]);
        assert.equal(item.trigger, null, 'no such trigger');
        assert.equal(item.idempotency_key, `${item.job.trigger_id}:${world.events[0]}`);
      }
      assert.deepEqual(await store.queue.depth(), [
        { tenant_id: world.tenant_id, priority: 'P2', queued: 2, running: 7 },
      ]);
      await succeedAll(store.queue, 'exec-a', claimed, now);
      const next = await store.queue.claim(claimOf('exec-a', 20));
      assert.deepEqual(next.map((item) => item.job.position).sort(), ['1006.6', '1008.8']);
    });

    it('makes the first new job of an idle entity its head as it is created, and queues the rest behind', async () => {
      const world = await queueWorld(store, 'Heads');
      await store.jobs.createMany([0, 1].map((n) => queueJob(world, n, { entity_key: 'order:21' })));
      const [first] = await store.queue.claim(claimOf('exec-a', 20));
      assert.equal(first?.job.position, '1000.0', 'the earlier, alone');
      // Created while its entity runs: behind it, however soon it is claimed.
      await store.jobs.createMany([queueJob(world, 2, { entity_key: 'order:21' })]);
      assert.deepEqual(await store.queue.claim(claimOf('exec-a', 20)), []);
      await succeedAll(store.queue, 'exec-a', first === undefined ? [] : [first], now);
      const order: string[] = [];
      for (let round = 0; round < 3; round++) {
        const claimed = await store.queue.claim(claimOf('exec-a', 20));
        order.push(...claimed.map((item) => item.job.position));
        await succeedAll(store.queue, 'exec-a', claimed, now);
      }
      assert.deepEqual(order, ['1001.1', '1002.2']);
    });

    it('gives an entity a head when a repeat of its finished job comes with a new one', async () => {
      const world = await queueWorld(store, 'Repeat heads');
      const done = queueJob(world, 0, { entity_key: 'order:22', trigger_id: 'trg_repeat' });
      await store.jobs.createMany([done]);
      await succeedAll(store.queue, 'exec-a', await store.queue.claim(claimOf('exec-a', 20)), now);
      // The repeat comes first in the call and creates nothing; the new job must still run.
      const created = await store.jobs.createMany([done, queueJob(world, 1, { entity_key: 'order:22' })]);
      assert.equal(created, 1);
      const claimed = await store.queue.claim(claimOf('exec-a', 20));
      assert.deepEqual(
        claimed.map((item) => item.job.position),
        ['1001.1'],
      );
    });
  });
}
