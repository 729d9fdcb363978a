import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../testing/index.ts';
import { type JsonServer, startJsonServer } from './json-server.ts';

const T0 = Date.parse('2030-03-05T10:00:30.000Z');

describe('http-poll through the scheduler and the poll pass', () => {
  let t: TestApp;
  let api: JsonServer;
  let now = T0;
  let auth: { authorization: string };
  let connectionId: string;

  /** Runs whatever is due at `at`. */
  const runAt = async (at: number): Promise<number> => {
    now = at;
    const started = await t.ctx.poll.scheduler.claimRound();
    await t.ctx.poll.scheduler.drain();
    return started;
  };
  const health = async (): Promise<Record<string, unknown>> => {
    const response = await t.app.inject({
      url: `/api/v1/streams?connection_id=${connectionId}`,
      headers: auth,
    });
    assert.equal(response.statusCode, 200);
    const [stream] = response.json().items;
    return stream;
  };
  before(async () => {
    api = await startJsonServer();
    api.records = [
      { id: 'a', name: 'Ada', updated: 1 },
      { id: 'b', name: 'Bob', updated: 2 },
    ];
    t = await startTestApp({ now: () => new Date(now), env: { SLUICE_ALLOW_PRIVATE_TARGETS: '1' } });
    ({ auth } = await t.tenant('Poller'));
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'http-poll',
        config: {
          url: api.url,
          records_path: 'data',
          id_field: 'id',
          streams: { snapshot: { schedule: '* * * * *' } },
        },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    connectionId = created.json().connection.id;
  });
  after(async () => {
    await t.close();
    await api.close();
  });

  it('schedules the active stream of the connection on its cron slot', async () => {
    const stream = await health();
    assert.equal(stream['stream'], 'snapshot');
    assert.equal(stream['status'], 'ok');
    assert.equal(stream['next_run_at'], '2030-03-05T10:01:00.000Z');
    assert.equal(await runAt(T0 + 1_000), 0);
  });

  it('runs on time, and records become created, updated and deleted events', async () => {
    assert.equal(await runAt(Date.parse('2030-03-05T10:01:00.200Z')), 1);
    let stream = await health();
    assert.equal(stream['records'], 2);
    assert.equal(stream['envelopes'], 2);
    assert.equal(stream['next_run_at'], '2030-03-05T10:02:00.000Z');
    assert.ok(stream['last_success_at']);
    api.records = [{ id: 'a', name: 'Ada L.', updated: 3 }];
    assert.equal(await runAt(Date.parse('2030-03-05T10:02:00.100Z')), 1);
    stream = await health();
    assert.equal(stream['envelopes'], 4);
    const tenantId = (await t.store.tenancy.listTenants()).find((x) => x.name === 'Poller')?.id ?? '';
    const types = (await t.store.events.query(tenantId, { connection_id: connectionId }, { limit: 50 })).items
      .map((e) => `${e.event_type}:${String((e.payload['entity'] as { id: string }).id)}`)
      .sort();
    assert.deepEqual(types, ['record.created:a', 'record.created:b', 'record.deleted:b', 'record.updated:a']);
  });

  it('a 429 with Retry-After pauses the stream until then, says so, and then it runs again', async () => {
    const at = Date.parse('2030-03-05T10:03:00.000Z');
    // An HTTP date: the connector reads it against its own clock, the test's is injected.
    api.rateLimitNext = new Date(at + 120_000).toUTCString();
    assert.equal(await runAt(at), 1);
    let stream = await health();
    assert.equal(stream['status'], 'rate_limited');
    assert.equal(stream['rate_limited_until'], new Date(at + 120_000).toISOString());
    assert.equal(stream['next_run_at'], new Date(at + 120_000).toISOString());
    assert.match(String(stream['interval_reason']), /rate limited until 2030-03-05T10:05:00.000Z/);
    assert.match(String((stream['last_error'] as { message: string }).message), /rate limited until/);
    assert.equal(await runAt(at + 60_000), 0, 'not before the reset');
    assert.equal(await runAt(at + 119_000), 0);
    assert.equal(await runAt(at + 120_000), 1);
    stream = await health();
    assert.equal(stream['status'], 'ok');
    assert.equal(stream['rate_limited_until'], null);
    const tenantId = (await t.store.tenancy.listTenants()).find((x) => x.name === 'Poller')?.id ?? '';
    const changes = (
      await t.store.events.query(tenantId, { event_type: 'stream.status_changed' }, { limit: 10 })
    ).items;
    assert.deepEqual(
      changes.map((e) => [e.payload['previous'], e.payload['status']]),
      [
        ['ok', 'rate_limited'],
        ['rate_limited', 'ok'],
      ],
    );
    assert.equal(changes[0]?.payload['rate_limited_until'], new Date(at + 120_000).toISOString());
  });

  it('pauses, resumes and runs now through the API', async () => {
    const base = `/api/v1/connections/${connectionId}/streams/snapshot`;
    const paused = await t.app.inject({ method: 'POST', url: `${base}/pause`, headers: auth });
    assert.equal(paused.statusCode, 200);
    assert.equal(paused.json().stream.status, 'paused');
    assert.equal(
      (await t.app.inject({ url: '/api/v1/streams?status=paused', headers: auth })).json().items.length,
      1,
    );
    assert.equal(await runAt(Date.parse('2030-03-05T11:00:00.000Z')), 0, 'a paused stream is not run');
    const resumed = await t.app.inject({ method: 'POST', url: `${base}/resume`, headers: auth });
    assert.equal(resumed.json().stream.status, 'ok');
    const ran = await t.app.inject({ method: 'POST', url: `${base}/run`, headers: auth });
    assert.ok(Date.parse(ran.json().stream.next_run_at) <= now, 'due now (or already overdue)');
    assert.equal(await runAt(now), 1);
    const missing = await t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connectionId}/streams/nope/run`,
      headers: auth,
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'stream_not_found');
    const bad = await t.app.inject({ url: '/api/v1/streams?status=sleepy', headers: auth });
    assert.equal(bad.statusCode, 400);
  });

  it('incremental mode sends the cursor and moves it to the largest cursor_field', async () => {
    // Its own API: the poll pass's change dedupe keys are per tenant and record, not per connection.
    const api = await startJsonServer();
    after(() => api.close());
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'http-poll',
        config: {
          url: api.url,
          records_path: 'data',
          id_field: 'id',
          mode: 'incremental',
          cursor_param: 'since',
          cursor_field: 'updated',
        },
      },
    });
    const id = created.json().connection.id;
    const streams = (await t.app.inject({ url: `/api/v1/streams?connection_id=${id}`, headers: auth })).json()
      .items;
    assert.deepEqual(
      streams.map((s: { stream: string }) => s.stream),
      ['incremental'],
    );
    api.records = [
      { id: 'x', updated: 5 },
      { id: 'y', updated: 7 },
    ];
    api.seen.length = 0;
    await runAt(Date.parse('2030-03-05T12:00:00.000Z'));
    api.records.push({ id: 'x', updated: 9 });
    await runAt(Date.parse('2030-03-05T12:01:00.000Z'));
    assert.deepEqual(api.seen.slice(-2), ['', '?since=7']);
    const tenantId = (await t.store.tenancy.listTenants()).find((x) => x.name === 'Poller')?.id ?? '';
    const types = (await t.store.events.query(tenantId, { connection_id: id }, { limit: 50 })).items.map(
      (e) => e.event_type,
    );
    assert.deepEqual(types.sort(), ['entry.created', 'entry.created', 'entry.updated']);
  });
});
