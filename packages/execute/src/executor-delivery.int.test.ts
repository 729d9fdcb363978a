import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stores } from '@sluice/core';
import { clearQueue, STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { Webhook } from 'standardwebhooks';
import { Executor } from './executor.ts';
import { HttpActionRunner } from './http-action-runner.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { TEST_SECRET } from './testing/envelope-fixture.ts';
import { eventually, executorWorld, openTestSecret, worldFact } from './testing/executor-world.ts';
import { answer, type ReceivedRequest, startReceiver, type TestReceiver } from './testing/receiver.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`executor, delivery and retries: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let receiver: TestReceiver;
    let deliverer: HttpDeliverer;

    let executor: Executor;
    const start = async (name: string) => ({ world: await executorWorld(store, name), executor });
    const platformEvents = async (tenantId: string, type: string) =>
      (await store.events.query(tenantId, { event_type: type }, { limit: 100 })).items;

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
      receiver = await startReceiver();
      deliverer = new HttpDeliverer({ allowPrivate: true });
      executor = new Executor({
        queue: store.queue,
        owner: 'exec-delivery',
        runners: [new HttpActionRunner({ deliverer, secretOf: (t, id) => openTestSecret(store, t, id) })],
        leaseMs: 5_000,
        idleMs: 20,
        fact: worldFact,
        disableTrigger: async (tenantId, id) => {
          await store.triggers.update(tenantId, id, { enabled: false });
        },
        random: () => 0.999,
        onError: (error) => process.stderr.write(`executor error: ${String(error)}\n`),
      });
      executor.start();
    });
    after(async () => {
      await executor.stop();
      await receiver.close();
      await db.drop();
    });

    it('delivers signed, records the attempt, and commits webhook.delivered and run.completed', async () => {
      await clearQueue(db.client);
      const verified: string[] = [];
      receiver.handle((request: ReceivedRequest, response) => {
        new Webhook(TEST_SECRET).verify(request.body, request.headers);
        verified.push(request.headers['webhook-id'] ?? '');
        response.writeHead(200).end();
      });
      const { world, executor } = await start('Deliver');
      const trigger = await world.httpTrigger(`${receiver.origin}/in`);
      const [job] = await world.jobsFor(trigger, 1);
      assert.ok(job !== undefined);
      executor.nudge();
      await eventually(async () => (await store.jobs.get(job.tenant_id, job.id))?.status === 'succeeded');
      assert.deepEqual(verified, [`${trigger.id}:${job.event_id}`], 'webhook-id is the idempotency key');
      const done = await store.jobs.get(job.tenant_id, job.id);
      assert.equal(done?.attempts.length, 1);
      assert.equal(done?.attempts[0]?.status_code, 200);
      assert.equal(done?.attempts[0]?.error, null);
      const [delivered] = await platformEvents(job.tenant_id, 'webhook.delivered');
      assert.equal(delivered?.causation_id, job.event_id);
      assert.equal(delivered?.payload['job_id'], job.id);
      assert.equal(delivered?.payload['attempts'], 1);
      assert.equal(delivered?.payload['outcome'], 'succeeded');
      assert.equal(typeof delivered?.payload['latency_ms'], 'number');
      const [completed] = await platformEvents(job.tenant_id, 'run.completed');
      assert.equal(completed?.payload['job_id'], job.id);
      const event = await store.events.get(job.tenant_id, job.event_id);
      assert.equal(completed?.correlation_id, event?.correlation_id);
    });

    it('retries a failing subscriber with growing delays under one webhook-id, then delivers', async () => {
      await clearQueue(db.client);
      const times: number[] = [];
      const ids = new Set<string>();
      receiver.handle((request, response) => {
        times.push(Date.now());
        ids.add(request.headers['webhook-id'] ?? '');
        response.writeHead(times.length <= 3 ? 503 : 204).end();
      });
      const { world } = await start('Retry');
      const trigger = await world.httpTrigger(`${receiver.origin}/flaky`, {
        retry: { max_attempts: 6, initial_delay_ms: 200, max_delay_ms: 2_000, timeout_ms: 1_000 },
      });
      const [job] = await world.jobsFor(trigger, 1);
      assert.ok(job !== undefined);
      await eventually(async () => (await store.jobs.get(job.tenant_id, job.id))?.status === 'succeeded');
      assert.equal(times.length, 4);
      assert.equal(ids.size, 1, 'the same webhook-id on every retry');
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      // Full jitter at random() = 0.999: the waits are (almost) the whole cap, 200, 400, 800 ms.
      const floors = [199, 399, 799];
      for (const [i, gap] of gaps.entries()) assert.ok(gap >= (floors[i] as number), `gaps ${gaps}`);
      const done = await store.jobs.get(job.tenant_id, job.id);
      assert.deepEqual(
        done?.attempts.map((a) => a.status_code),
        [503, 503, 503, 204],
      );
    });

    it('dead-letters after the attempt limit; a requeue delivers it under the same key', async () => {
      await clearQueue(db.client);
      let failing = true;
      const ids: string[] = [];
      receiver.handle((request, response) => {
        ids.push(request.headers['webhook-id'] ?? '');
        response.writeHead(failing ? 500 : 200).end();
      });
      const { world } = await start('Exhaust');
      const trigger = await world.httpTrigger(`${receiver.origin}/down`, {
        retry: { max_attempts: 3, initial_delay_ms: 20, max_delay_ms: 50, timeout_ms: 1_000 },
      });
      const [job] = await world.jobsFor(trigger, 1);
      assert.ok(job !== undefined);
      await eventually(async () => (await store.jobs.get(job.tenant_id, job.id))?.status === 'dead_lettered');
      assert.equal(ids.length, 3);
      const letters = await store.deadLetters.list(job.tenant_id, {}, { limit: 10 });
      const letter = letters.items.find((l) => l.job_id === job.id);
      assert.equal(letter?.kind, 'job');
      assert.equal(letter?.error_context['failure'], 'attempts_exhausted');
      assert.equal(letter?.error_context['step'], 'action');
      assert.match(letter?.error_message ?? '', /500/);
      const [failed] = await platformEvents(job.tenant_id, 'integration.failed');
      assert.equal(failed?.payload['job_id'], job.id);
      assert.equal(failed?.causation_id, job.event_id);
      failing = false;
      assert.ok((await store.queue.requeue(job.tenant_id, job.id)) !== null);
      await eventually(async () => (await store.jobs.get(job.tenant_id, job.id))?.status === 'succeeded');
      assert.equal(new Set(ids).size, 1, 'the replay keeps the webhook-id');
    });

    it('sends a 4xx other than 408/409/425/429 to the dead letters at once', async () => {
      await clearQueue(db.client);
      receiver.handle(answer(422, {}, 'bad shape'));
      const before = receiver.requests.length;
      const { world } = await start('Permanent');
      const trigger = await world.httpTrigger(`${receiver.origin}/strict`);
      const [job] = await world.jobsFor(trigger, 1);
      assert.ok(job !== undefined);
      await eventually(async () => (await store.jobs.get(job.tenant_id, job.id))?.status === 'dead_lettered');
      assert.equal(receiver.requests.length - before, 1);
      const letters = await store.deadLetters.list(job.tenant_id, {}, { limit: 10 });
      assert.equal(letters.items[0]?.error_context['failure'], 'permanent');
    });

    it('disables the trigger on 410 with webhook.disabled', async () => {
      await clearQueue(db.client);
      receiver.handle(answer(410));
      const { world } = await start('Gone');
      const trigger = await world.httpTrigger(`${receiver.origin}/gone`);
      const [job] = await world.jobsFor(trigger, 1);
      assert.ok(job !== undefined);
      await eventually(async () => (await store.triggers.get(job.tenant_id, trigger.id))?.enabled === false);
      const [disabled] = await platformEvents(job.tenant_id, 'webhook.disabled');
      assert.equal(disabled?.payload['trigger_id'], trigger.id);
      assert.equal(disabled?.causation_id, job.event_id);
    });
  });
}
