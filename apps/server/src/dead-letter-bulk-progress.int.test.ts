import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PacerClock } from '@sluice/control';
import { attemptAt, claimOf, queueJob, queueWorld } from '@sluice/store/testing';
import { startTestApp, type TestApp } from './testing/index.ts';

/** A pacing clock that moves only when slept on: pacing is measured, not waited for. */
function fakeClock(): PacerClock & { at: number; sleeps: number[] } {
  const clock = {
    at: 0,
    sleeps: [] as number[],
    now: () => clock.at,
    async sleep(ms: number) {
      clock.sleeps.push(ms);
      clock.at += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return clock;
}

describe('dead letters: a large bulk replay runs in the background, paced, with progress', () => {
  let t: TestApp;
  const clock = fakeClock();

  before(async () => {
    t = await startTestApp({ replaySyncLimit: 2, replayClock: clock });
  });
  after(() => t.close());

  it('answers 202 with a replay, paces it at rate_per_second, and shows its progress to its tenant only', async () => {
    const world = await queueWorld(t.store, 'Bulk', 5);
    const key = await t.ctx.control.tenants.issueKey(world.tenant_id, 'test');
    const auth = { authorization: `Bearer ${key.key}` };
    const { auth: other } = await t.tenant('Stranger');
    await t.store.jobs.createMany(
      world.events.map((_, i) => queueJob(world, i, { event: i, entity_key: null, trigger_id: 'trg_bulk' })),
    );
    const claimed = await t.store.queue.claim(claimOf('exec', 10));
    assert.equal(claimed.length, 5);
    for (const item of claimed) {
      await t.store.queue.finish('exec', item.job.id, {
        kind: 'dead_lettered',
        attempt: attemptAt(new Date(), 503),
        dead_letter: {
          tenant_id: world.tenant_id,
          connector: 'test-orders',
          connection_id: world.connection.id,
          event_payload: { body_base64: '', headers: {}, content_type: null },
          error_message: 'HTTP 503',
          error_context: {},
        },
      });
    }
    const filter = { trigger_id: 'trg_bulk' };
    const dry = await t.app.inject({
      method: 'POST',
      url: '/api/v1/dead-letters/replay',
      headers: auth,
      payload: { filter, dry_run: true },
    });
    assert.deepEqual(dry.json(), { dry_run: true, count: 5 });
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/v1/dead-letters/replay',
      headers: auth,
      payload: { filter, rate_per_second: 4 },
    });
    assert.equal(started.statusCode, 202, started.body);
    const { replay } = started.json();
    assert.equal(replay.total, 5);
    const url = `/api/v1/dead-letters/replays/${replay.id}`;
    assert.equal((await t.app.inject({ method: 'GET', url, headers: other })).statusCode, 404);
    let progress = replay;
    for (let i = 0; i < 200 && progress.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      progress = (await t.app.inject({ method: 'GET', url, headers: auth })).json().replay;
    }
    assert.equal(progress.status, 'succeeded');
    assert.equal(progress.done, 5);
    assert.equal(progress.failed, 0);
    assert.deepEqual(clock.sleeps, [250, 250, 250, 250], 'one replay every 250 ms at 4 per second');
    const requeued = await t.store.queue.claim(claimOf('exec-2', 10));
    assert.deepEqual(
      requeued.map((item) => item.idempotency_key).sort(),
      claimed.map((item) => item.idempotency_key).sort(),
      'every job again, under its own key',
    );
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/dead-letters/replays/rpl_none',
      headers: auth,
    });
    assert.equal(missing.json().error.code, 'replay_not_found');
  });
});
