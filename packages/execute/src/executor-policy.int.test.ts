import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stores } from '@sluice/core';
import { clearQueue, STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { CircuitBreaker } from './circuit-breaker.ts';
import { Executor } from './executor.ts';
import { HttpActionRunner } from './http-action-runner.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { CIRCUIT_OPEN } from './run-job.ts';
import { eventually, executorWorld, openTestSecret, worldFact } from './testing/executor-world.ts';
import { answer, startReceiver, type TestReceiver } from './testing/receiver.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`executor, idempotency, breaker and skips: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let receiver: TestReceiver;
    let executor: Executor;
    let deliverer: HttpDeliverer;
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 60_000 });

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
      receiver = await startReceiver();
      deliverer = new HttpDeliverer({ allowPrivate: true });
      executor = new Executor({
        queue: store.queue,
        owner: 'exec-policy',
        runners: [new HttpActionRunner({ deliverer, secretOf: (t, id) => openTestSecret(store, t, id) })],
        breaker,
        leaseMs: 5_000,
        idleMs: 20,
        fact: worldFact,
        disableTrigger: async () => {},
        random: () => 0,
      });
      executor.start();
    });
    after(async () => {
      await executor.stop();
      await receiver.close();
      await db.drop();
    });

    it('returns the remembered result of a key already used: no second side effect', async () => {
      await clearQueue(db.client);
      receiver.handle(answer(200));
      const world = await executorWorld(store, 'Remember');
      const trigger = await world.httpTrigger(`${receiver.origin}/once`);
      const before = receiver.requests.length;
      const [first] = await world.jobsFor(trigger, 1, { key: () => 'order-risk:42:hold' });
      assert.ok(first !== undefined);
      await eventually(async () => (await store.jobs.get(first.tenant_id, first.id))?.status === 'succeeded');
      const [second] = await world.jobsFor(trigger, 1, { key: () => 'order-risk:42:hold' });
      assert.ok(second !== undefined);
      await eventually(
        async () => (await store.jobs.get(second.tenant_id, second.id))?.status === 'succeeded',
      );
      assert.equal(receiver.requests.length - before, 1, 'one request for both jobs');
      const remembered = await store.queue.recall(first.tenant_id, 'order-risk:42:hold');
      assert.deepEqual(remembered?.result, { status: 200 });
    });

    it('does not send while the endpoint circuit is open, and does not count it as an attempt', async () => {
      await clearQueue(db.client);
      const down = await startReceiver(answer(503));
      try {
        const world = await executorWorld(store, 'Breaker');
        const trigger = await world.httpTrigger(`${down.origin}/down`, {
          retry: { max_attempts: 2, initial_delay_ms: 0, max_delay_ms: 0, timeout_ms: 1_000 },
        });
        const [a] = await world.jobsFor(trigger, 1);
        assert.ok(a !== undefined);
        // Its 503 recorded (and so the breaker opened) before the second job exists.
        await eventually(
          async () =>
            (await store.jobs.get(a.tenant_id, a.id))?.attempts.some((x) => x.status_code === 503) === true,
        );
        const [b] = await world.jobsFor(trigger, 1);
        assert.ok(b !== undefined);
        await eventually(async () => {
          const jobs = await Promise.all([a, b].map((job) => store.jobs.get(job.tenant_id, job.id)));
          return jobs.every((job) => job?.attempts.some((x) => x.error?.startsWith(CIRCUIT_OPEN)));
        });
        assert.equal(down.requests.length, 1, 'one request opened the circuit; nothing more was sent');
        for (const job of [a, b]) {
          const stored = await store.jobs.get(job.tenant_id, job.id);
          assert.equal(stored?.status, 'retrying', 'postponed, not dead-lettered');
        }
        assert.equal(breaker.state(down.origin), 'open');
      } finally {
        await down.close();
      }
    });

    it('skips the job of a deleted or disabled trigger without running it', async () => {
      await clearQueue(db.client);
      receiver.handle(answer(200));
      const before = receiver.requests.length;
      const world = await executorWorld(store, 'Skip');
      const deleted = await world.httpTrigger(`${receiver.origin}/deleted`, { enabled: true });
      const disabled = await world.httpTrigger(`${receiver.origin}/disabled`);
      await executor.stop();
      const [a] = await world.jobsFor(deleted, 1);
      const [b] = await world.jobsFor(disabled, 1);
      assert.ok(a !== undefined && b !== undefined);
      await store.triggers.delete(a.tenant_id, deleted.id);
      await store.triggers.update(b.tenant_id, disabled.id, { enabled: false });
      executor.start();
      await eventually(async () => {
        const jobs = await Promise.all([a, b].map((job) => store.jobs.get(job.tenant_id, job.id)));
        return jobs.every((job) => job?.status === 'skipped');
      });
      assert.equal(receiver.requests.length, before);
    });
    it('stops within its bound: a job still running is aborted and ends as a retry', async () => {
      await clearQueue(db.client);
      await executor.stop();
      const hanging = await startReceiver(() => {});
      const stopping = new Executor({
        queue: store.queue,
        owner: 'exec-stopping',
        runners: [new HttpActionRunner({ deliverer, secretOf: (t, id) => openTestSecret(store, t, id) })],
        leaseMs: 5_000,
        idleMs: 20,
        stopGraceMs: 100,
        fact: worldFact,
        disableTrigger: async () => {},
      });
      try {
        const world = await executorWorld(store, 'Stopping');
        const trigger = await world.httpTrigger(`${hanging.origin}/slow`);
        const [job] = await world.jobsFor(trigger, 1);
        assert.ok(job !== undefined);
        stopping.start();
        await eventually(() => hanging.requests.length === 1);
        const started = Date.now();
        await stopping.stop();
        assert.ok(Date.now() - started < 3_000, 'stop is bounded');
        const stored = await store.jobs.get(job.tenant_id, job.id);
        assert.equal(stored?.status, 'retrying');
        assert.match(stored?.attempts[0]?.error ?? '', /executor stopped/);
      } finally {
        await hanging.close();
        executor.start();
      }
    });
  });
}
