import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AppendInput, JobOutcome, Stores } from '@sluice/core';
import {
  attemptAt,
  claimOf,
  clearQueue,
  modeTrigger,
  preparedEnvelope,
  type QueueWorld,
  queueJob,
  queueWorld,
  STORE_ADAPTERS,
  type TestDatabase,
} from './testing/index.ts';

const second = 1000;
const hour = 3_600_000;

for (const adapter of STORE_ADAPTERS) {
  describe(`job queue contract, leases and outcomes: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let now = new Date('2030-05-01T08:00:00.000Z');
    const clock = () => now;
    const later = (ms: number) => {
      now = new Date(now.getTime() + ms);
    };

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: clock });
      await store.maintenance.migrate();
    });
    after(() => db.drop());
    beforeEach(() => clearQueue(db.client));
    /** A dead-lettered outcome: the target refused the event. */
    const refusedBy = (world: QueueWorld): JobOutcome => ({
      kind: 'dead_lettered',
      attempt: attemptAt(now, 400),
      dead_letter: {
        tenant_id: world.tenant_id,
        connector: 'test-orders',
        connection_id: world.connection.id,
        event_payload: { body_base64: '', headers: {}, content_type: null },
        error_message: 'the target refused the event',
        error_context: {},
      },
    });

    it('claims a lapsed lease again for another owner; the old owner can no longer finish it', async () => {
      const world = await queueWorld(store, 'Lease');
      await store.jobs.createMany([queueJob(world, 0), queueJob(world, 1)]);
      const [held] = await store.queue.claim(claimOf('exec-a', 10));
      assert.ok(held !== undefined);
      assert.equal(held.lease_until, new Date(now.getTime() + 30 * second).toISOString());
      later(20 * second);
      assert.deepEqual(await store.queue.heartbeat('exec-a', [held.job.id], 30 * second), [held.job.id]);
      later(20 * second);
      assert.equal(await store.queue.reclaimExpired(), 0, 'the heartbeat kept the lease');
      assert.deepEqual(await store.queue.claim(claimOf('exec-b', 10)), [], 'the entity is still held');
      later(31 * second);
      assert.equal(await store.queue.reclaimExpired(), 1);
      const [taken] = await store.queue.claim(claimOf('exec-b', 10));
      assert.equal(taken?.job.id, held.job.id, 'the same job again, before the next of its entity');
      assert.equal(taken?.attempt, 2);
      assert.equal(taken?.job.attempts[0]?.error, 'lease lapsed');
      assert.deepEqual(await store.queue.heartbeat('exec-a', [held.job.id], 30 * second), []);
      const late = await store.queue.finish('exec-a', held.job.id, {
        kind: 'succeeded',
        attempt: attemptAt(now),
        result: { from: 'a' },
        result_ttl_ms: hour,
      });
      assert.equal(late, false);
      assert.equal(await store.queue.recall(world.tenant_id, held.idempotency_key), null, 'nothing written');
      const job = await store.jobs.get(world.tenant_id, held.job.id);
      assert.equal(job?.status, 'running');
      assert.equal(job?.attempts[1]?.status_code, null);
      // A claim puts lapsed leases back by itself: a killed executor's job runs again within one lease.
      later(31 * second);
      const [third] = await store.queue.claim(claimOf('exec-c', 10));
      assert.equal(third?.job.id, held.job.id);
      assert.equal(third?.attempt, 3);
    });

    it('fails a claimed job whose event is not in the store, returns the others and releases its entity', async () => {
      const world = await queueWorld(store, 'Orphan');
      const gone = { ...world, events: ['01900000-0000-7000-8000-00000000dead'] };
      await store.jobs.createMany([
        queueJob(gone, 0, { entity_key: 'order:9' }),
        queueJob(world, 1, { entity_key: 'order:9' }),
        queueJob(world, 2, { entity_key: 'order:10' }),
      ]);
      const first = await store.queue.claim(claimOf('exec-a', 10));
      assert.deepEqual(
        first.map((item) => item.job.position),
        ['1002.2'],
        'the orphan is not returned; its entity is held until it is failed',
      );
      const [orphan] = (await store.jobs.list(world.tenant_id, { status: 'failed' }, { limit: 10 })).items;
      assert.equal(orphan?.position, '1000.0');
      const [next] = await store.queue.claim(claimOf('exec-a', 10));
      assert.equal(next?.job.position, '1001.1', 'the failure released the entity to its next job');
    });

    it('remembers a result under its idempotency key until it expires, and the sweep removes it', async () => {
      const world = await queueWorld(store, 'Remember');
      await store.jobs.createMany([{ ...queueJob(world, 0), idempotency_key: 'order-risk:order:1:hold' }]);
      const [item] = await store.queue.claim(claimOf('exec', 1));
      assert.equal(item?.idempotency_key, 'order-risk:order:1:hold');
      assert.equal(item?.job.idempotency_key, 'order-risk:order:1:hold');
      const done = await store.queue.finish('exec', item?.job.id ?? '', {
        kind: 'succeeded',
        attempt: attemptAt(now),
        result: { hold: 'h_1' },
        result_ttl_ms: hour,
      });
      assert.equal(done, true);
      assert.deepEqual(await store.queue.recall(world.tenant_id, 'order-risk:order:1:hold'), {
        job_id: item?.job.id,
        result: { hold: 'h_1' },
        expires_at: new Date(now.getTime() + hour).toISOString(),
      });
      const stranger = await store.tenancy.createTenant({ name: 'Stranger' });
      assert.equal(await store.queue.recall(stranger.id, 'order-risk:order:1:hold'), null);
      const job = await store.jobs.get(world.tenant_id, item?.job.id ?? '');
      assert.equal(job?.status, 'succeeded');
      assert.deepEqual(job?.attempts, [attemptAt(now)]);
      later(hour);
      assert.equal(await store.queue.recall(world.tenant_id, 'order-risk:order:1:hold'), null, 'expired');
      const swept = await store.maintenance.sweepExpired(now, new Date(0), 1000);
      assert.ok(swept.job_results >= 1, JSON.stringify(swept));
    });

    it('finishes several jobs in one call, each by its outcome, and a claim brings remembered results', async () => {
      const world = await queueWorld(store, 'Many', 6);
      const shared = 'many:shared-key';
      await store.jobs.createMany([
        queueJob(world, 0),
        queueJob(world, 1, { event: 1 }),
        queueJob(world, 2, { event: 2, entity_key: 'order:2' }),
        { ...queueJob(world, 3, { event: 3, entity_key: 'order:3' }), idempotency_key: shared },
        { ...queueJob(world, 4, { event: 4, entity_key: 'order:4' }), idempotency_key: shared },
        queueJob(world, 5, { event: 5, entity_key: null }),
      ]);
      const claimed = await store.queue.claim(claimOf('exec', 10));
      const id = (position: string) => claimed.find((item) => item.job.position === position)?.job.id ?? '';
      assert.deepEqual(claimed.map((item) => item.job.position).sort(), [
        '1000.0',
        '1002.2',
        '1003.3',
        '1004.4',
        '1005.5',
      ]);
      assert.ok(
        claimed.every((item) => item.remembered === null),
        'nothing remembered yet',
      );
      const succeeded = (result: unknown) => ({
        kind: 'succeeded' as const,
        attempt: attemptAt(now),
        result,
        result_ttl_ms: hour,
      });
      const held = await store.queue.finishMany('exec', [
        { job_id: id('1000.0'), outcome: succeeded({ n: 0 }) },
        {
          job_id: id('1002.2'),
          outcome: {
            kind: 'retry',
            attempt: attemptAt(now, 503),
            run_after: new Date(now.getTime() + hour).toISOString(),
          },
        },
        { job_id: id('1003.3'), outcome: succeeded({ n: 3 }) },
        { job_id: id('1004.4'), outcome: succeeded({ n: 4 }) },
        {
          job_id: id('1005.5'),
          outcome: refusedBy(world),
        },
        { job_id: 'job_not_held', outcome: succeeded(null) },
      ]);
      assert.deepEqual(held, [true, true, true, true, true, false]);
      const statuses = (await store.jobs.list(world.tenant_id, {}, { limit: 10 })).items.map(
        (job) => `${job.position}:${job.status}`,
      );
      assert.deepEqual(statuses, [
        '1000.0:succeeded',
        '1001.1:queued',
        '1002.2:retrying',
        '1003.3:succeeded',
        '1004.4:succeeded',
        '1005.5:dead_lettered',
      ]);
      const retried = await store.jobs.get(world.tenant_id, id('1002.2'));
      assert.equal(retried?.attempts[0]?.status_code, 503);
      const remembered = await store.queue.recall(world.tenant_id, shared);
      assert.deepEqual(remembered?.result, { n: 4 }, 'one key twice in a batch: the later finish wins');
      const dead = await db.client.query('SELECT job_id FROM dead_letters WHERE job_id = $1', [id('1005.5')]);
      assert.equal(dead.length, 1);
      // The entity released by the success runs its next job; the retrying one keeps its entity.
      await store.jobs.createMany([
        {
          ...queueJob(world, 6, { event: 5, entity_key: 'order:6', trigger_id: 'trg_q6' }),
          idempotency_key: shared,
        },
      ]);
      const next = await store.queue.claim(claimOf('exec', 10));
      assert.deepEqual(next.map((item) => item.job.position).sort(), ['1001.1', '1006.6']);
      const again = next.find((item) => item.job.position === '1006.6');
      assert.equal(again?.remembered?.job_id, id('1004.4'), 'the claim reads the remembered result');
      assert.deepEqual(again?.remembered?.result, { n: 4 });
      assert.equal(next.find((item) => item.job.position === '1001.1')?.remembered, null);
    });

    it('skips a job of a skip trigger while its entity has one unfinished', async () => {
      const world = await queueWorld(store, 'Skip');
      const trigger = await modeTrigger(store, world, 'skip');
      await store.jobs.createMany([queueJob(world, 0, { trigger_id: trigger.id })]);
      const [running] = await store.queue.claim(claimOf('exec', 10));
      assert.equal(running?.trigger?.single_flight, 'skip', 'the trigger comes with its job');
      await store.jobs.createMany([
        queueJob(world, 1, { trigger_id: trigger.id, event: 1 }),
        queueJob(world, 2, { trigger_id: trigger.id, event: 2, entity_key: 'order:2' }),
      ]);
      const jobs = await store.jobs.list(world.tenant_id, {}, { limit: 10 });
      assert.deepEqual(
        jobs.items.map((job) => `${job.position}:${job.status}`),
        ['1000.0:running', '1001.1:skipped', '1002.2:queued'],
      );
      const next = await store.queue.claim(claimOf('exec', 10));
      assert.deepEqual(
        next.map((item) => item.job.position),
        ['1002.2'],
      );
    });

    it('keeps only the newest waiting job of a latest trigger for an entity', async () => {
      const world = await queueWorld(store, 'Latest', 5);
      const trigger = await modeTrigger(store, world, 'latest');
      await store.jobs.createMany([queueJob(world, 0, { trigger_id: trigger.id })]);
      const [running] = await store.queue.claim(claimOf('exec', 10));
      assert.ok(running !== undefined);
      await store.jobs.createMany(
        [1, 2].map((n) => queueJob(world, n, { trigger_id: trigger.id, event: n })),
      );
      await store.jobs.createMany([queueJob(world, 3, { trigger_id: trigger.id, event: 3 })]);
      await store.jobs.createMany([queueJob(world, 4, { trigger_id: 'trg_other', event: 4 })]);
      const statuses = async () =>
        (await store.jobs.list(world.tenant_id, {}, { limit: 10 })).items.map(
          (job) => `${job.position}:${job.status}`,
        );
      assert.deepEqual(await statuses(), [
        '1000.0:running',
        '1001.1:skipped',
        '1002.2:skipped',
        '1003.3:queued',
        '1004.4:queued',
      ]);
      await store.queue.finish('exec', running.job.id, {
        kind: 'succeeded',
        attempt: attemptAt(now),
        result: null,
        result_ttl_ms: hour,
      });
      const [next] = await store.queue.claim(claimOf('exec', 10));
      assert.equal(next?.job.position, '1003.3', 'the newest survivor runs, in event order');
    });

    it('requeues a dead-lettered job with its idempotency key', async () => {
      const world = await queueWorld(store, 'Requeue');
      await store.jobs.createMany([queueJob(world, 0), queueJob(world, 1)]);
      const [item] = await store.queue.claim(claimOf('exec', 10));
      assert.ok(item !== undefined);
      await store.queue.finish('exec', item.job.id, refusedBy(world));
      assert.equal(await store.queue.requeue(world.tenant_id, 'job_none'), null);
      const stranger = await store.tenancy.createTenant({ name: 'Requeue stranger' });
      assert.equal(await store.queue.requeue(stranger.id, item.job.id), null, 'scoped by tenant');
      // The next job of the entity took its turn meanwhile.
      const [other] = await store.queue.claim(claimOf('exec', 10));
      assert.equal(other?.job.position, '1001.1');
      const requeued = await store.queue.requeue(world.tenant_id, item.job.id);
      assert.equal(requeued?.status, 'queued');
      assert.equal(requeued?.idempotency_key, item.idempotency_key);
      assert.equal(await store.queue.requeue(world.tenant_id, item.job.id), null, 'only a failed job');
      assert.deepEqual(await store.queue.claim(claimOf('exec', 10)), [], 'waits for the running one');
      await store.queue.finish('exec', other?.job.id ?? '', { kind: 'skipped', reason: 'trigger gone' });
      const [again] = await store.queue.claim(claimOf('exec', 10));
      assert.equal(again?.job.id, item.job.id);
      assert.equal(again?.attempt, 2);
      assert.equal(again?.idempotency_key, item.idempotency_key);
    });

    it('rolls a finish back when its fact cannot be written', async () => {
      const world = await queueWorld(store, 'Facts');
      const platform = await store.connections.create({
        tenant_id: world.tenant_id,
        workspace_id: null,
        connector_id: 'sluice',
        name: 'platform',
        config: {},
        secret_ciphertext: 'v1:p',
      });
      const fact = (n: string): AppendInput => ({
        connection: platform,
        envelopes: [preparedEnvelope(platform, n, { source: 'sluice', event_type: 'job.succeeded' })],
        dedupeWindowMs: hour,
      });
      await store.jobs.createMany([queueJob(world, 0), queueJob(world, 1)]);
      const [item] = await store.queue.claim(claimOf('exec', 10));
      assert.ok(item !== undefined);
      const outcome = {
        kind: 'succeeded',
        attempt: attemptAt(now),
        result: { ok: 1 },
        result_ttl_ms: hour,
      } as const;
      await store.connections.retire(world.tenant_id, platform.id);
      await assert.rejects(
        store.queue.finish('exec', item.job.id, outcome, [fact('refused')]),
        /platform event could not be written/,
      );
      assert.equal((await store.jobs.get(world.tenant_id, item.job.id))?.status, 'running');
      assert.equal(await store.queue.recall(world.tenant_id, item.idempotency_key), null);
      assert.deepEqual(await store.queue.claim(claimOf('exec', 10)), [], 'the entity is still held');
      const live = await store.connections.create({
        tenant_id: world.tenant_id,
        workspace_id: null,
        connector_id: 'sluice',
        name: 'platform again',
        config: {},
        secret_ciphertext: 'v1:p',
      });
      const good: AppendInput = {
        connection: live,
        envelopes: [preparedEnvelope(live, 'ok', { source: 'sluice', event_type: 'job.succeeded' })],
        dedupeWindowMs: hour,
      };
      assert.equal(await store.queue.finish('exec', item.job.id, outcome, [good]), true);
      const facts = await store.events.query(world.tenant_id, { connection_id: live.id }, { limit: 10 });
      assert.equal(facts.items.length, 1, 'the outcome and its fact committed together');
      assert.notEqual(await store.queue.recall(world.tenant_id, item.idempotency_key), null);
    });
  });
}
