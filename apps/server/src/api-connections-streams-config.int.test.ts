import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './testing/index.ts';

/** A connection config's `streams.<key>` is checked at create: every problem at once, nothing written. */
describe('connection create refuses a bad streams config', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let tenantId: string;

  before(async () => {
    t = await startTestApp();
    const made = await t.tenant('Streams config');
    auth = made.auth;
    tenantId = made.tenant.id;
  });
  after(() => t.close());

  const create = (streams: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'stripe',
        secret: 'whsec_test_signing_secret',
        config: { api_key: 'sk_test_x', streams },
      },
    });
  const counts = async () =>
    (
      await t.sql.query<{ connections: number; schedules: number; events: number }>(
        `SELECT (SELECT count(*)::int FROM connections WHERE tenant_id = $1) AS connections,
                (SELECT count(*)::int FROM stream_schedules WHERE tenant_id = $1) AS schedules,
                (SELECT count(*)::int FROM envelopes WHERE tenant_id = $1) AS events`,
        [tenantId],
      )
    )[0];

  it('lists every problem with its path and rule, as 422 connection_config_invalid, and writes nothing', async () => {
    const before = await counts();
    const response = await create({
      customer: {},
      events: { schedule: '* * * * *' },
      customers: {
        schedule: 'every day',
        min_interval: 'fast',
        max_interval: 60,
        business_hours: { days: '1-5', start: 9, end: '17:00' },
        every: '5m',
      },
    });
    assert.equal(response.statusCode, 422, response.body);
    const { error } = response.json();
    assert.equal(error.code, 'connection_config_invalid');
    const problems = (error.details.problems as Array<{ path: string; rule: string; message: string }>).map(
      (p) => `${p.path} ${p.rule}`,
    );
    assert.deepEqual(problems.sort(), [
      'streams.customer stream_unknown',
      'streams.customers.business_hours.start value_type',
      'streams.customers.every field_unknown',
      'streams.customers.min_interval interval_format',
      'streams.customers.schedule schedule_invalid',
      'streams.events stream_not_pollable',
    ]);
    assert.match(error.message, /\(and 5 more\)/);
    const unknown = error.details.problems.find((p: { path: string }) => p.path === 'streams.customer');
    assert.match(unknown.message, /poll streams: customers/);
    assert.deepEqual(await counts(), before, 'no connection, schedule or platform event was written');
  });

  it('refuses a streams value of the wrong type, and bounds out of order', async () => {
    for (const [streams, path, rule] of [
      [['customers'], 'streams', 'value_type'],
      [{ customers: 'often' }, 'streams.customers', 'value_type'],
      [{ customers: { schedule: 15 } }, 'streams.customers.schedule', 'value_type'],
      [
        { customers: { min_interval: '1h', max_interval: '1m' } },
        'streams.customers.min_interval',
        'interval_bounds',
      ],
      [{ customers: { min_interval: '1m' } }, 'streams.customers', 'interval_bounds'],
      [
        { customers: { business_hours: { start: '17:00', end: '09:00' } } },
        'streams.customers.business_hours',
        'business_hours_invalid',
      ],
    ] as const) {
      const response = await create(streams);
      assert.equal(response.statusCode, 422, `${JSON.stringify(streams)}: ${response.body}`);
      const [problem] = response.json().error.details.problems;
      assert.deepEqual([problem.path, problem.rule], [path, rule], JSON.stringify(streams));
    }
    assert.equal((await counts())?.connections, 0);
  });

  it('accepts a good streams config and schedules the stream with it', async () => {
    const response = await create({
      customers: {
        schedule: '*/30 * * * *',
        min_interval: '1m',
        max_interval: '1h',
        business_hours: { days: '1-5', start: '09:00', end: '17:00' },
      },
    });
    assert.equal(response.statusCode, 201, response.body);
    const [stream] = await t.store.schedules.list(tenantId);
    assert.equal(stream?.schedule, '*/30 * * * *');
    assert.deepEqual(stream?.settings, {
      min_interval_ms: 60_000,
      max_interval_ms: 3_600_000,
      business_hours: { days: '1-5', start: '09:00', end: '17:00' },
    });
  });

  it('a change cannot carry a config: PATCH with streams is a 400 and changes nothing', async () => {
    const [connection] = await t.store.connections.list(tenantId);
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/connections/${connection?.id}`,
      headers: auth,
      payload: { config: { streams: { customers: { schedule: 'never' } } } },
    });
    assert.equal(response.statusCode, 400, response.body);
    const [stream] = await t.store.schedules.list(tenantId);
    assert.equal(stream?.schedule, '*/30 * * * *');
  });
});
