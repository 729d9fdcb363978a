import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CronTicker } from '@sluice/receive';
import { startTestApp, type TestApp } from '../testing/index.ts';

const T0 = Date.parse('2030-03-05T10:00:30.000Z');

describe('cron schedules and the cron source', () => {
  let t: TestApp;
  let now = T0;
  let auth: { authorization: string };
  let tenantId: string;
  let scheduleId: string;

  const ticks = async () =>
    (await t.store.events.query(tenantId, { event_type: 'cron.tick' }, { limit: 100 })).items;

  before(async () => {
    t = await startTestApp({ now: () => new Date(now) });
    ({ auth } = await t.tenant('Clockwork'));
    tenantId = (await t.store.tenancy.listTenants()).find((x) => x.name === 'Clockwork')?.id ?? '';
  });
  after(() => t.close());

  it('creates, lists and refuses bad schedules', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/schedules',
      headers: auth,
      payload: { name: 'every ten', schedule: '*/10 * * * *', timezone: 'Europe/Berlin' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const schedule = created.json().schedule;
    scheduleId = schedule.id;
    assert.match(scheduleId, /^sch_/);
    assert.equal(schedule.next_slot_at, '2030-03-05T10:10:00.000Z');
    const listed = await t.app.inject({ url: '/api/v1/schedules', headers: auth });
    assert.deepEqual(
      listed.json().items.map((s: { id: string }) => s.id),
      [scheduleId],
    );
    for (const bad of [
      { name: 'x', schedule: 'every day' },
      { name: 'y', schedule: '* * * * *', timezone: 'Mars/Olympus' },
    ]) {
      const refused = await t.app.inject({
        method: 'POST',
        url: '/api/v1/schedules',
        headers: auth,
        payload: bad,
      });
      assert.equal(refused.statusCode, 400, JSON.stringify(bad));
      assert.equal(refused.json().error.code, 'invalid_schedule');
    }
    const twice = await t.app.inject({
      method: 'POST',
      url: '/api/v1/schedules',
      headers: auth,
      payload: { name: 'every ten', schedule: '* * * * *' },
    });
    assert.equal(twice.statusCode, 409);
  });

  it('emits one cron.tick per slot, at P3, with dedupe key <schedule id>:<slot>', async () => {
    now = Date.parse('2030-03-05T10:05:00.000Z');
    assert.equal(await t.ctx.poll.cron.round(), 0);
    now = Date.parse('2030-03-05T10:10:00.300Z');
    assert.equal(await t.ctx.poll.cron.round(), 1);
    assert.equal(await t.ctx.poll.cron.round(), 0);
    const [tick] = await ticks();
    assert.equal(tick?.source, 'cron');
    assert.equal(tick?.dedupe_key, `${scheduleId}:2030-03-05T10:10:00.000Z`);
    assert.equal(tick?.payload['slot'], '2030-03-05T10:10:00.000Z');
    assert.equal(tick?.payload['missed'], 0);
    const [row] = await t.sql.query<{ origin: string }>('SELECT origin FROM outbox WHERE event_id = $1', [
      tick?.event_id,
    ]);
    assert.equal(row?.origin, 'schedule');
  });

  it('emits a slot missed while down once, not once per missed slot, after a restart', async () => {
    now = Date.parse('2030-03-05T10:55:00.000Z'); // 10:20 … 10:50 passed while nothing ran
    const restarted = new CronTicker({
      store: t.store.cronSchedules,
      now: () => new Date(now),
      emit: async (schedule, tick) => {
        const { cronTickEmission } = await import('@sluice/core');
        const [connection] = await t.store.connections.list(schedule.tenant_id, { connector_id: 'cron' });
        assert.ok(connection);
        await t.ctx.ingestor.ingest(connection, [cronTickEmission(tick)], { origin: 'schedule' });
      },
    });
    assert.equal(await restarted.round(), 1);
    assert.equal(await restarted.round(), 0);
    assert.equal(await t.ctx.poll.cron.round(), 0);
    const all = await ticks();
    assert.equal(all.length, 2);
    assert.equal(all[1]?.payload['slot'], '2030-03-05T10:50:00.000Z');
    assert.equal(all[1]?.payload['missed'], 3);
    const [schedule] = (await t.app.inject({ url: '/api/v1/schedules', headers: auth })).json().items;
    assert.equal(schedule.last_slot_at, '2030-03-05T10:50:00.000Z');
    assert.equal(schedule.next_slot_at, '2030-03-05T11:00:00.000Z');
  });

  it('deletes a schedule, in its own tenant only', async () => {
    const { auth: other } = await t.tenant('Other');
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/schedules/${scheduleId}`,
      headers: other,
    });
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().error.code, 'schedule_not_found');
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/schedules/${scheduleId}`,
      headers: auth,
    });
    assert.equal(deleted.statusCode, 204);
  });
});
