import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attemptAt, claimOf, queueJob, queueWorld } from '@sluice/store/testing';
import { DeadLetterWatch } from './services/dead-letter-watch.ts';
import { startTestApp, type TestApp } from './testing/index.ts';

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`dead letters of jobs over HTTP, policies and depth alerts: ${adapter}`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ adapter });
    });
    after(() => t.close());

    /** A tenant with a key and `n` jobs that failed for good (their dead letters), and a stranger. */
    const deadJobs = async (name: string, n: number) => {
      const { tenant, auth } = await t.tenant(name);
      const world = await queueWorld(t.store, name, n);
      // The world makes its own tenant; it gets a key, and the other tenant is the stranger.
      const key = await t.ctx.control.tenants.issueKey(world.tenant_id, 'test');
      const mine = { authorization: `Bearer ${key.key}` };
      await t.store.jobs.createMany(
        world.events.map((_, i) => queueJob(world, i, { event: i, entity_key: null, trigger_id: 'trg_dl' })),
      );
      const claimed = await t.store.queue.claim(claimOf(`exec-${name}`, n));
      for (const item of claimed) {
        await t.store.queue.finish(`exec-${name}`, item.job.id, {
          kind: 'dead_lettered',
          attempt: attemptAt(new Date(), 500),
          dead_letter: {
            tenant_id: world.tenant_id,
            connector: 'test-orders',
            connection_id: world.connection.id,
            event_payload: { body_base64: '', headers: {}, content_type: 'application/json' },
            error_message: 'HTTP 500',
            error_context: { step: 'action', failure: 'attempts_exhausted' },
          },
        });
      }
      return { tenant_id: world.tenant_id, auth: mine, other: auth, other_id: tenant.id, claimed };
    };

    it('replays a job dead letter: the job is queued again with the same idempotency key; other tenants get 404', async () => {
      const { auth, other, claimed } = await deadJobs('Replay one', 1);
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/dead-letters?kind=job', headers: auth });
      const [letter] = list.json().items;
      assert.equal(letter.kind, 'job');
      const url = `/api/v1/dead-letters/${letter.id}/replay`;
      assert.equal((await t.app.inject({ method: 'POST', url, headers: other })).statusCode, 404);
      const replayed = await t.app.inject({ method: 'POST', url, headers: auth });
      assert.equal(replayed.statusCode, 200, replayed.body);
      assert.equal(replayed.json().dead_letter.status, 'replayed');
      assert.equal(replayed.json().job.status, 'queued');
      assert.equal(replayed.json().job.idempotency_key, claimed[0]?.idempotency_key);
      assert.equal((await t.app.inject({ method: 'POST', url, headers: auth })).statusCode, 409);
      const [again] = await t.store.queue.claim(claimOf('exec-again', 10));
      assert.equal(again?.idempotency_key, claimed[0]?.idempotency_key, 'the same webhook-id');
      const events = await t.app.inject({
        method: 'GET',
        url: '/api/v1/events?event_type=dead_letter.replayed',
        headers: auth,
      });
      assert.equal(events.json().items.length, 1, 'dead_letter.replayed committed with the replay');
    });

    it('a policy replays matching dead letters until max_replays, then stops', async () => {
      const { tenant_id, auth, other } = await deadJobs('Policy', 2);
      const body = { name: 'retry jobs', filter: { kind: 'job' }, every_seconds: 60, max_replays: 2 };
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/dead-letter-policies',
        headers: auth,
        payload: body,
      });
      assert.equal(created.statusCode, 201, created.body);
      const policy = created.json().policy;
      const short = await t.app.inject({
        method: 'POST',
        url: '/api/v1/dead-letter-policies',
        headers: auth,
        payload: { ...body, name: 'too often', every_seconds: 10 },
      });
      assert.equal(short.statusCode, 400);
      const foreign = await t.app.inject({
        method: 'GET',
        url: `/api/v1/dead-letter-policies/${policy.id}`,
        headers: other,
      });
      assert.equal(foreign.statusCode, 404);
      let at = Date.now();
      for (let round = 1; round <= 3; round++) {
        const replays = await t.ctx.control.replayPolicies.runDue(new Date(at));
        assert.equal(replays, round <= 2 ? 2 : 0, `round ${round}`);
        // The executor fails them again.
        const claimed = await t.store.queue.claim(claimOf('exec-policy', 10));
        for (const item of claimed) {
          await t.store.queue.finish('exec-policy', item.job.id, {
            kind: 'dead_lettered',
            attempt: attemptAt(new Date(), 500),
            dead_letter: {
              tenant_id,
              connector: 'test-orders',
              connection_id: null,
              event_payload: { body_base64: '', headers: {}, content_type: null },
              error_message: 'HTTP 500 again',
              error_context: {},
            },
          });
        }
        at += 61_000;
      }
      const letters = (await t.store.deadLetters.list(tenant_id, { kind: 'job' }, { limit: 10 })).items;
      assert.deepEqual(
        letters.map((d) => [d.status, d.retry_count]),
        [
          ['pending', 2],
          ['pending', 2],
        ],
      );
      const gone = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/dead-letter-policies/${policy.id}`,
        headers: auth,
      });
      assert.equal(gone.statusCode, 204);
    });

    it('publishes threshold_crossed once on crossing and recovered once on recovery, within a check interval', async () => {
      const { tenant_id, auth } = await deadJobs('Depth', 3);
      const patched = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/tenant',
        headers: auth,
        payload: { dead_letter_alert_threshold: 2 },
      });
      assert.equal(patched.json().tenant.dead_letter_alert_threshold, 2);
      const watch = new DeadLetterWatch({
        store: t.store,
        metrics: t.ctx.metrics,
        alerts: t.ctx.control.depthAlerts,
        policies: t.ctx.control.replayPolicies,
        intervalMs: 100,
      });
      const events = async (type: string) =>
        (
          await t.app.inject({ method: 'GET', url: `/api/v1/events?event_type=${type}`, headers: auth })
        ).json().items;
      const started = Date.now();
      watch.start();
      try {
        while ((await events('dead_letters.threshold_crossed')).length === 0) {
          assert.ok(Date.now() - started < 10_000, 'within 10 s');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const metrics = await t.ctx.metrics.registry.getSingleMetricAsString('sluice_dead_letter_depth');
        assert.match(metrics, new RegExp(`tenant_id="${tenant_id}",kind="job"} 3`));
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await events('dead_letters.threshold_crossed')).length, 1, 'once');
        const [one] = (await t.store.deadLetters.list(tenant_id, { kind: 'job' }, { limit: 1 })).items;
        await t.app.inject({ method: 'DELETE', url: `/api/v1/dead-letters/${one?.id}`, headers: auth });
        const recovering = Date.now();
        while ((await events('dead_letters.recovered')).length === 0) {
          assert.ok(Date.now() - recovering < 10_000, 'within 10 s');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await events('dead_letters.recovered')).length, 1, 'once');
        assert.equal((await events('dead_letters.threshold_crossed')).length, 1);
      } finally {
        await watch.stop();
      }
    });
  });
}
