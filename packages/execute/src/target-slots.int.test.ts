import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stores } from '@sluice/core';
import { clearQueue, STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { CircuitBreaker } from './circuit-breaker.ts';
import { Executor } from './executor.ts';
import { HttpActionRunner } from './http-action-runner.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { TARGET_BUSY } from './run-job.ts';
import { eventually, executorWorld, openTestSecret, worldFact } from './testing/executor-world.ts';
import { answer, startReceiver } from './testing/receiver.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`executor, a slow target holds only its own slots: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
    });
    after(async () => {
      await db.drop();
    });

    it('runs every other target while one hangs, and postpones the hanging one past its cap uncounted', async () => {
      await clearQueue(db.client);
      const hanging = await startReceiver(() => {});
      const healthy = await startReceiver(answer(200));
      const executor = new Executor({
        queue: store.queue,
        owner: 'exec-slots',
        runners: [
          new HttpActionRunner({
            deliverer: new HttpDeliverer({ allowPrivate: true }),
            secretOf: (t, id) => openTestSecret(store, t, id),
          }),
        ],
        concurrency: 4,
        targetConcurrency: 1,
        // The hang must not open the circuit here: the cap alone is under test.
        breaker: new CircuitBreaker({ failureThreshold: 1_000 }),
        leaseMs: 10_000,
        idleMs: 20,
        stopGraceMs: 100,
        fact: worldFact,
        disableTrigger: async () => {},
        random: () => 0.5,
      });
      try {
        const world = await executorWorld(store, 'Slots');
        const slow = await world.httpTrigger(`${hanging.origin}/slow`, {
          retry: { max_attempts: 2, initial_delay_ms: 0, max_delay_ms: 0, timeout_ms: 30_000 },
        });
        const fast = await world.httpTrigger(`${healthy.origin}/fast`);
        // Separate entities, so single-flight does not order them: the cap alone keeps them apart.
        const stuck = (await Promise.all([1, 2, 3].map(() => world.jobsFor(slow, 1)))).flat();
        executor.start();
        await eventually(async () => hanging.requests.length === 1);
        const served = (await Promise.all([1, 2, 3, 4, 5, 6].map(() => world.jobsFor(fast, 1)))).flat();
        await eventually(async () => {
          const jobs = await Promise.all(served.map((job) => store.jobs.get(job.tenant_id, job.id)));
          return jobs.every((job) => job?.status === 'succeeded');
        });
        assert.equal(healthy.requests.length, 6, 'every job of the healthy target ran');
        await eventually(async () => {
          const jobs = await Promise.all(stuck.map((job) => store.jobs.get(job.tenant_id, job.id)));
          return (
            jobs.filter((job) => job?.attempts.some((a) => a.error?.startsWith(TARGET_BUSY))).length === 2
          );
        });
        assert.equal(hanging.requests.length, 1, 'one attempt in flight to the hanging target, no more');
        for (const job of stuck) {
          const stored = await store.jobs.get(job.tenant_id, job.id);
          assert.notEqual(stored?.status, 'dead_lettered', 'a postponement is not a spent attempt');
        }
      } finally {
        await executor.stop();
        await hanging.close();
        await healthy.close();
      }
    });
  });
}
