import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../testing/index.ts';
import { type JsonServer, startJsonServer } from './json-server.ts';

const T0 = Date.parse('2030-03-05T10:00:30.000Z');

/** A poll source is a URL a tenant chose: without SLUICE_ALLOW_PRIVATE_TARGETS it never reaches loopback. */
describe('poll sources behind the outbound target guard', () => {
  let t: TestApp;
  let api: JsonServer;
  let auth: { authorization: string };
  let tenantId: string;
  let now = T0;

  before(async () => {
    api = await startJsonServer();
    api.records = [{ id: 'a' }];
    t = await startTestApp({ now: () => new Date(now) }); // the default: private targets refused
    const made = await t.tenant('Prober');
    auth = made.auth;
    tenantId = made.tenant.id;
  });
  after(async () => {
    await t.close();
    await api.close();
  });

  it('an http-poll stream at a loopback URL fails its poll, naming the refusal; nothing is fetched or emitted', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'http-poll', config: { url: api.url, records_path: 'data', id_field: 'id' } },
    });
    assert.equal(created.statusCode, 201, created.body);
    now = Date.parse('2030-03-05T10:01:00.500Z');
    assert.equal(await t.ctx.poll.scheduler.claimRound(), 1);
    await t.ctx.poll.scheduler.drain();
    const [stream] = await t.store.schedules.list(tenantId);
    assert.equal(stream?.status, 'failing');
    assert.match(stream?.last_error ?? '', /127\.0\.0\.1 is a loopback address/);
    assert.deepEqual(api.seen, [], 'the source was reached');
    const events = await t.store.events.query(tenantId, { event_type: 'record.*' }, { limit: 10 });
    assert.equal(events.items.length, 0);
  });

  it('a connection test (probe) at a loopback base URL is refused the same way, sending nothing', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'stripe',
        secret: 'whsec_guarded_probe_secret',
        config: { api_key: 'sk_test_probe', base_url: api.url.replace(/\/items$/, '') },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const tested = await t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${created.json().connection.id}/test`,
      headers: auth,
    });
    assert.equal(tested.statusCode, 200, tested.body);
    assert.equal(tested.json().ok, false);
    assert.match(tested.json().message, /127\.0\.0\.1 is a loopback address/);
    assert.deepEqual(api.seen, []);
  });
});
