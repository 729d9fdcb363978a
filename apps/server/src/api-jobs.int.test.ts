import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Change, type Job, type NewJob, newEventId } from '@sluice/core';
import { STORE_ADAPTERS } from '@sluice/store/testing';
import { startTestApp, type TestApp } from './testing/index.ts';

const THEIR_TRIGGER = `trg_${'0'.repeat(32)}`;

for (const adapter of STORE_ADAPTERS) {
  describe(`jobs API and the unmatched-events setting (${adapter.name})`, { timeout: 60_000 }, () => {
    let t: TestApp;
    let auth: { authorization: string };
    let other: { authorization: string };
    let tenantId: string;
    let otherId: string;
    const triggers: string[] = [];
    const events = [newEventId(), newEventId(), newEventId()];
    let theirJob: Job;

    before(async () => {
      t = await startTestApp({ adapter: adapter.name });
      ({
        auth,
        tenant: { id: tenantId },
      } = await t.tenant('Acme'));
      ({
        auth: other,
        tenant: { id: otherId },
      } = await t.tenant('Other'));
      for (const name of ['first', 'second']) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/triggers',
          headers: auth,
          payload: { name, event_types: ['order.*'], action: { type: 'handler', name: 'audit' } },
        });
        assert.equal(response.statusCode, 201, response.body);
        triggers.push(response.json().trigger.id);
      }
      // As the router writes them: one job per (event, trigger), in commit order.
      const jobs: NewJob[] = [];
      events.forEach((event_id, n) => {
        for (const trigger_id of triggers) {
          jobs.push({
            tenant_id: tenantId,
            trigger_id,
            event_id,
            connection_id: 'con_orders',
            priority: n === 0 ? 'P1' : 'P2',
            entity_key: n === 2 ? null : `order:${n}`,
            position: `${2000 + n}.${n}`,
          });
        }
      });
      assert.equal(await t.store.jobs.createMany(jobs), 6);
      assert.equal(await t.store.jobs.createMany(jobs), 0, 'a redelivery creates nothing');
      await t.store.jobs.createMany([
        { ...jobs[0], tenant_id: otherId, trigger_id: THEIR_TRIGGER, event_id: newEventId() } as NewJob,
      ]);
      const theirs = await t.store.jobs.list(otherId, {}, { limit: 1 });
      theirJob = theirs.items[0] as Job;
      // What the executor will write: a finished job with its attempts.
      const mine = await t.store.jobs.list(tenantId, { event_id: events[0] as string }, { limit: 10 });
      const done = mine.items[0] as Job;
      await t.sql.query(`UPDATE jobs SET status = 'succeeded' WHERE id = $1`, [done.id]);
      await t.sql.query(
        `INSERT INTO job_attempts (job_id, tenant_id, n, started_at, status_code, latency_ms, error)
         VALUES ($1, $2, 1, '2026-06-11T12:00:00Z', 503, 41, 'upstream unavailable'),
                ($1, $2, 2, '2026-06-11T12:00:05Z', 200, 12, NULL)`,
        [done.id, tenantId],
      );
    });
    after(() => t.close());

    const list = async (query: string, headers = auth) => {
      const response = await t.app.inject({ url: `/api/v1/jobs?${query}`, headers });
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as { items: Job[]; next_cursor: string | null };
    };

    it('lists the tenant’s jobs in creation order, by trigger, event and status', async () => {
      const all = await list('');
      assert.equal(all.items.length, 6);
      assert.equal(all.next_cursor, null);
      assert.deepEqual(
        all.items.map((j) => [j.event_id, j.trigger_id]),
        events.flatMap((e) => triggers.map((tr) => [e, tr])),
      );
      const job = all.items[0] as Job;
      for (const field of [
        'id',
        'trigger_id',
        'event_id',
        'priority',
        'entity_key',
        'status',
        'created_at',
        'attempts',
      ]) {
        assert.ok(field in job, field);
      }
      assert.match(job.id, /^job_/);
      assert.equal(job.priority, 'P1');
      assert.equal(all.items[4]?.entity_key, null);
      const byTrigger = await list(`trigger_id=${triggers[1]}`);
      assert.deepEqual(
        byTrigger.items.map((j) => j.event_id),
        events,
      );
      assert.ok(byTrigger.items.every((j) => j.trigger_id === triggers[1]));
      const byEvent = await list(`event_id=${events[1]}`);
      assert.deepEqual(
        byEvent.items.map((j) => j.trigger_id),
        triggers,
      );
      const succeeded = await list('status=succeeded');
      assert.equal(succeeded.items.length, 1);
      assert.equal((await list('status=queued')).items.length, 5);
      assert.equal(
        (await list(`status=queued&trigger_id=${triggers[0]}&event_id=${events[0]}`)).items.length,
        0,
      );
      assert.deepEqual((await list('event_id=not-a-uuid')).items, []);
      const badStatus = await t.app.inject({ url: '/api/v1/jobs?status=finished', headers: auth });
      assert.equal(badStatus.statusCode, 400);
      assert.equal(badStatus.json().error.code, 'invalid_request');
    });

    it('pages with next_cursor, in either order', async () => {
      const walk = async (order: 'asc' | 'desc') => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await list(`limit=4&order=${order}${cursor === null ? '' : `&cursor=${cursor}`}`);
          assert.ok(page.items.length <= 4);
          seen.push(...page.items.map((j) => j.id));
          cursor = page.next_cursor;
        } while (cursor !== null);
        return seen;
      };
      const ascending = await walk('asc');
      assert.equal(ascending.length, 6);
      assert.deepEqual(await walk('desc'), [...ascending].reverse());
      const foreign = await t.app.inject({ url: `/api/v1/jobs?cursor=${theirJob.id}`, headers: auth });
      assert.equal(foreign.statusCode, 400);
      assert.equal(foreign.json().error.code, 'invalid_cursor');
    });

    it('shows one job with its attempts', async () => {
      const [done] = (await list('status=succeeded')).items;
      assert.ok(done !== undefined);
      const response = await t.app.inject({ url: `/api/v1/jobs/${done.id}`, headers: auth });
      assert.equal(response.statusCode, 200, response.body);
      const { job } = response.json() as { job: Job };
      assert.equal(job.status, 'succeeded');
      assert.deepEqual(
        job.attempts.map((a) => [a.status_code, a.latency_ms, a.error]),
        [
          [503, 41, 'upstream unavailable'],
          [200, 12, null],
        ],
      );
      assert.equal(Date.parse(job.attempts[0]?.started_at ?? ''), Date.parse('2026-06-11T12:00:00Z'));
      const missing = await t.app.inject({ url: '/api/v1/jobs/job_nope', headers: auth });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'job_not_found');
    });

    it("answers 404 for another tenant's job, and lists only the caller's", async () => {
      const response = await t.app.inject({ url: `/api/v1/jobs/${theirJob.id}`, headers: auth });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error.code, 'job_not_found');
      const theirs = await list('', other);
      assert.deepEqual(
        theirs.items.map((j) => j.id),
        [theirJob.id],
      );
      const mine = await t.app.inject({
        url: `/api/v1/jobs/${(await list('')).items[0]?.id}`,
        headers: other,
      });
      assert.equal(mine.statusCode, 404);
      assert.deepEqual((await list(`trigger_id=${triggers[0]}`, other)).items, []);
      assert.equal((await t.app.inject({ url: '/api/v1/jobs' })).statusCode, 401);
    });

    it('keeps jobs when their trigger is deleted', async () => {
      const gone = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/triggers/${triggers[1]}`,
        headers: auth,
      });
      assert.equal(gone.statusCode, 204);
      assert.equal((await list(`trigger_id=${triggers[1]}`)).items.length, 3);
    });

    it('sets what happens to events no trigger matches, drop by default', async () => {
      const seen: Change[] = [];
      t.ctx.changes.subscribe((change) => seen.push(change));
      const before = await t.app.inject({ url: '/api/v1/tenant', headers: auth });
      assert.equal(before.json().tenant.unmatched_events, 'drop');
      const patch = (payload: object, headers = auth) =>
        t.app.inject({ method: 'PATCH', url: '/api/v1/tenant', headers, payload });
      const changed = await patch({ unmatched_events: 'dead_letter' });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().tenant.unmatched_events, 'dead_letter');
      assert.equal(changed.json().tenant.name, 'Acme');
      assert.deepEqual(seen, [{ kind: 'tenant', tenant_id: tenantId, id: tenantId }]);
      assert.equal(
        (await t.app.inject({ url: '/api/v1/tenant', headers: auth })).json().tenant.unmatched_events,
        'dead_letter',
      );
      // The other tenant is untouched.
      assert.equal(
        (await t.app.inject({ url: '/api/v1/tenant', headers: other })).json().tenant.unmatched_events,
        'drop',
      );
      for (const bad of [{ unmatched_events: 'keep' }, {}, { unmatched_events: 'drop', colour: 'red' }]) {
        const refused = await patch(bad);
        assert.equal(refused.statusCode, 400, JSON.stringify(bad));
        assert.equal(refused.json().error.code, 'invalid_request');
      }
      const renamed = await patch({ name: 'Acme Ltd' });
      assert.equal(renamed.json().tenant.unmatched_events, 'dead_letter');
      const admin = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/tenant',
        headers: { ...t.admin, 'x-sluice-tenant': otherId },
        payload: { unmatched_events: 'dead_letter' },
      });
      assert.equal(admin.json().tenant.id, otherId);
    });
  });
}
