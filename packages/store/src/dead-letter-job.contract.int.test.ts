import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { NewDeadLetter, Stores } from '@sluice/core';
import {
  attemptAt,
  claimOf,
  clearQueue,
  queueJob,
  queueWorld,
  STORE_ADAPTERS,
  type TestDatabase,
} from './testing/index.ts';

const day = 24 * 3_600_000;

const failure = (tenantId: string, connector: string): NewDeadLetter => ({
  tenant_id: tenantId,
  connector,
  connection_id: null,
  event_payload: { body_base64: '', headers: {}, content_type: 'application/json' },
  error_message: 'the target refused the event',
  error_context: { step: 'action', failure: 'permanent' },
});

for (const adapter of STORE_ADAPTERS) {
  describe(`dead letters of jobs, replay, policies, depth: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    const now = new Date('2030-06-01T08:00:00.000Z');
    const clock = () => now;

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: clock });
      await store.maintenance.migrate();
    });
    after(() => db.drop());
    beforeEach(() => clearQueue(db.client));

    /** A job of `world` that ran once and failed for good; its dead letter. */
    const deadJob = async (name: string, trigger = 'trg_dl') => {
      const world = await queueWorld(store, name, 1);
      await store.jobs.createMany([queueJob(world, 0, { trigger_id: trigger, entity_key: null })]);
      const [item] = await store.queue.claim(claimOf('exec', 1));
      assert.ok(item !== undefined);
      const finished = await store.queue.finish('exec', item.job.id, {
        kind: 'dead_lettered',
        attempt: attemptAt(now, 400),
        dead_letter: failure(world.tenant_id, 'test-orders'),
      });
      assert.equal(finished, true);
      const page = await store.deadLetters.list(world.tenant_id, { kind: 'job' }, { limit: 10 });
      const letter = page.items.find((d) => d.job_id === item.job.id);
      assert.ok(letter !== undefined);
      return { world, item, letter };
    };

    it('replays a job dead letter: the job is queued again under its key, the dead letter replayed, in one go', async () => {
      const { world, item, letter } = await deadJob('Replay');
      assert.equal(letter.kind, 'job');
      assert.equal(letter.status, 'pending');
      const stranger = await store.tenancy.createTenant({ name: 'Replay stranger' });
      assert.deepEqual(await store.deadLetters.replayJob(stranger.id, letter.id), { kind: 'not_found' });
      const replay = await store.deadLetters.replayJob(world.tenant_id, letter.id);
      assert.equal(replay.kind, 'replayed');
      assert.ok(replay.kind === 'replayed');
      assert.equal(replay.job.status, 'queued');
      assert.equal(replay.job.idempotency_key, item.idempotency_key);
      assert.equal(replay.deadLetter.status, 'replayed');
      assert.equal(replay.deadLetter.retry_count, 1);
      assert.equal((await store.deadLetters.replayJob(world.tenant_id, letter.id)).kind, 'not_pending');
      const [again] = await store.queue.claim(claimOf('exec', 1));
      assert.equal(again?.job.id, item.job.id);
      assert.equal(again?.idempotency_key, item.idempotency_key, 'the same webhook-id');
      // It fails again: the same dead letter is pending again, its retry count kept.
      await store.queue.finish('exec', item.job.id, {
        kind: 'dead_lettered',
        attempt: attemptAt(now, 400),
        dead_letter: failure(world.tenant_id, 'test-orders'),
      });
      const back = await store.deadLetters.get(world.tenant_id, letter.id);
      assert.equal(back?.status, 'pending');
      assert.equal(back?.retry_count, 1);
      assert.equal(await store.deadLetters.count(world.tenant_id, { kind: 'job' }), 1);
    });

    it('filters by kind, connector, status, time, trigger and retry count; counts exactly', async () => {
      const { world, letter } = await deadJob('Filters', 'trg_filters');
      const ingest = await store.deadLetters.create(failure(world.tenant_id, 'notes'));
      const t = world.tenant_id;
      const ids = async (filter: Parameters<Stores['deadLetters']['list']>[1]) =>
        (await store.deadLetters.list(t, filter, { limit: 10 })).items.map((d) => d.id);
      assert.deepEqual(await ids({ kind: 'job' }), [letter.id]);
      assert.deepEqual(await ids({ kind: 'ingest' }), [ingest.id]);
      assert.deepEqual(await ids({ connector: 'notes' }), [ingest.id]);
      assert.deepEqual(await ids({ trigger_id: 'trg_filters' }), [letter.id]);
      assert.deepEqual(await ids({ trigger_id: 'trg_other' }), []);
      assert.deepEqual(await ids({ status: 'replayed' }), []);
      assert.deepEqual(await ids({ since: '2100-01-01T00:00:00Z' }), []);
      assert.deepEqual((await ids({ until: '2100-01-01T00:00:00Z' })).length, 2);
      assert.deepEqual(await ids({ retry_count_below: 0 }), []);
      assert.equal(await store.deadLetters.count(t, { status: 'pending' }), 2);
      const stranger = await store.tenancy.createTenant({ name: 'Filter stranger' });
      assert.equal(await store.deadLetters.count(stranger.id, {}), 0);
      const depth = (await store.deadLetters.depth()).filter((d) => d.tenant_id === t);
      assert.deepEqual(depth, [
        { tenant_id: t, kind: 'ingest', pending: 1 },
        { tenant_id: t, kind: 'job', pending: 1 },
      ]);
    });

    it('expires old job dead letters with the retention sweep', async () => {
      const { world, letter } = await deadJob('Retention');
      const before = new Date(Date.now() + day);
      await store.maintenance.sweepExpired(now, before, 1000);
      assert.equal((await store.deadLetters.get(world.tenant_id, letter.id))?.status, 'expired');
    });

    it('stores replay policies per tenant and hands each due one to one taker per interval', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Policies' });
      const input = {
        tenant_id: tenant.id,
        name: 'jobs',
        filter: { kind: 'job' as const },
        every_seconds: 600,
        max_replays: 3,
      };
      const policy = await store.deadLetterPolicies.create(input);
      assert.ok(policy !== null);
      assert.equal(await store.deadLetterPolicies.create(input), null, 'one name per tenant');
      assert.deepEqual(policy.filter, { kind: 'job' });
      const stranger = await store.tenancy.createTenant({ name: 'Policy stranger' });
      assert.equal(await store.deadLetterPolicies.get(stranger.id, policy.id), null);
      assert.equal(await store.deadLetterPolicies.delete(stranger.id, policy.id), false);
      assert.deepEqual(await store.deadLetterPolicies.list(stranger.id), []);
      const first = await store.deadLetterPolicies.takeDue(now, 100);
      assert.ok(first.some((p) => p.id === policy.id));
      assert.ok(!(await store.deadLetterPolicies.takeDue(now, 100)).some((p) => p.id === policy.id));
      const later = new Date(now.getTime() + 600_000);
      assert.ok((await store.deadLetterPolicies.takeDue(later, 100)).some((p) => p.id === policy.id));
      assert.equal(await store.deadLetterPolicies.delete(tenant.id, policy.id), true);
      assert.deepEqual(await store.deadLetterPolicies.list(tenant.id), []);
    });

    it('sets the depth alert once per crossing and keeps the threshold', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Alerts' });
      const set = await store.tenancy.updateTenant(tenant.id, { dead_letter_alert_threshold: 5 });
      assert.equal(set?.dead_letter_alert_threshold, 5);
      assert.equal(
        (await store.tenancy.updateTenant(tenant.id, { name: 'Alerts 2' }))?.dead_letter_alert_threshold,
        5,
      );
      assert.equal(await store.tenancy.setDeadLetterAlert(tenant.id, true), true);
      assert.equal(await store.tenancy.setDeadLetterAlert(tenant.id, true), false);
      assert.equal(await store.tenancy.setDeadLetterAlert(tenant.id, false), true);
      const off = await store.tenancy.updateTenant(tenant.id, { dead_letter_alert_threshold: null });
      assert.equal(off?.dead_letter_alert_threshold, null);
    });
  });
}
