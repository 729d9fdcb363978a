import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../testing/index.ts';
import { type JsonServer, startJsonServer } from './json-server.ts';

// A winter Tuesday, 06:00:30 UTC.
const T0 = Date.parse('2030-03-05T06:00:30.000Z');

describe("a tenant's time zone change reschedules its poll streams and cron schedules", () => {
  let t: TestApp;
  let api: JsonServer;
  let auth: { authorization: string };
  let tenantId: string;
  let connectionId: string;

  before(async () => {
    api = await startJsonServer();
    t = await startTestApp({ now: () => new Date(T0) });
    const made = await t.tenant('Zoned');
    auth = made.auth;
    tenantId = made.tenant.id;
  });
  after(async () => {
    await t.close();
    await api.close();
  });

  const post = async (url: string, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url, headers: auth, payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  };

  const setTimezone = (timezone: string) =>
    t.app.inject({ method: 'PATCH', url: '/api/v1/tenant', headers: auth, payload: { timezone } });

  it('moves them to the new zone with the next run computed there; a schedule given its own zone keeps it', async () => {
    const inTenantZone = (await post('/api/v1/schedules', { name: 'nine', schedule: '0 9 * * *' })).schedule;
    const inNewYork = (
      await post('/api/v1/schedules', {
        name: 'ny nine',
        schedule: '0 9 * * *',
        timezone: 'America/New_York',
      })
    ).schedule;
    connectionId = (
      await post('/api/v1/connections', {
        connector_id: 'http-poll',
        config: { url: api.url, id_field: 'id', streams: { snapshot: { schedule: '0 9 * * *' } } },
      })
    ).connection.id;
    const stream = async () => (await t.store.schedules.list(tenantId, { connection_id: connectionId }))[0];
    assert.equal(inTenantZone.next_slot_at, '2030-03-05T09:00:00.000Z');
    assert.equal(inNewYork.next_slot_at, '2030-03-05T14:00:00.000Z');
    assert.equal((await stream())?.next_run_at, '2030-03-05T09:00:00.000Z');

    const patched = await setTimezone('Asia/Tokyo');
    assert.equal(patched.statusCode, 200, patched.body);

    // 09:00 in Tokyo (UTC+9) is midnight UTC: the next one after 06:00 UTC is tomorrow's.
    const moved = await stream();
    assert.equal(moved?.timezone, 'Asia/Tokyo');
    assert.equal(moved?.next_run_at, '2030-03-06T00:00:00.000Z');
    assert.match(moved?.interval_reason ?? '', /time zone changed to Asia\/Tokyo/);
    const listed = await t.app.inject({ url: '/api/v1/schedules', headers: auth });
    const byName = new Map<string, { timezone: string; next_slot_at: string }>(
      listed.json().items.map((s: { name: string }) => [s.name, s]),
    );
    assert.equal(byName.get('nine')?.timezone, 'Asia/Tokyo');
    assert.equal(byName.get('nine')?.next_slot_at, '2030-03-06T00:00:00.000Z');
    assert.equal(byName.get('ny nine')?.timezone, 'America/New_York');
    assert.equal(byName.get('ny nine')?.next_slot_at, '2030-03-05T14:00:00.000Z');
    // Nothing of the tenant is due at 09:00 UTC any more: the earliest is the stream's new run.
    assert.equal((await t.store.schedules.nextDueAt())?.toISOString(), '2030-03-06T00:00:00.000Z');
  });

  it('a refused time zone moves nothing', async () => {
    const refused = await setTimezone('Mars/Olympus');
    assert.equal(refused.statusCode, 400, refused.body);
    const stream = (await t.store.schedules.list(tenantId, { connection_id: connectionId }))[0];
    assert.equal(stream?.timezone, 'Asia/Tokyo');
    assert.equal(stream?.next_run_at, '2030-03-06T00:00:00.000Z');
  });
});
