import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exampleConnectors } from '@sluice/connectors';
import { defineConnector } from '@sluice/map';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

/** A connector whose mapping shows whether it was handed its credential in plain text. */
const tokened = defineConnector({
  id: 'tokened',
  streams: [{ key: 'events', mode: 'webhook', events: ['thing.happened'] }],
  webhook: { verify: { scheme: 'github' } },
  secretConfig: ['token'],
  map: ({ config, headers }) => ({
    source: 'tokened',
    event_type: 'thing.happened',
    dedupe_key: `tokened:${headers['x-github-delivery'] ?? 'none'}`,
    payload: { entity: { kind: 'thing', id: '1' }, token_ok: config['token'] === 'tok-123' },
  }),
});

describe('credentials in connection config', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let stripeApi: Server;
  let apiBase: string;
  const seenKeys: string[] = [];

  before(async () => {
    stripeApi = createServer((request, response) => {
      seenKeys.push(String(request.headers.authorization));
      const ok =
        request.headers.authorization === 'Bearer sk_test_sealed_key' && request.url === '/v1/balance';
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => stripeApi.listen(0, '127.0.0.1', resolve));
    apiBase = `http://127.0.0.1:${(stripeApi.address() as AddressInfo).port}`;
    t = await startTestApp({
      connectors: [...exampleConnectors, tokened],
      env: { SLUICE_ALLOW_PRIVATE_TARGETS: '1' }, // the fake Stripe API is on loopback
    });
    ({ auth } = await t.tenant('Config'));
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => stripeApi.close(() => resolve()));
  });

  it('seals a connector credential at rest, never returns it, and opens it for the probe', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'stripe',
        secret: 'whsec_test_signing_secret',
        config: { api_key: 'sk_test_sealed_key', api_base: apiBase },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const connection = created.json().connection;
    assert.deepEqual(connection.config, { api_key: '[sealed]', api_base: apiBase });
    assert.ok(!created.body.includes('sk_test_sealed_key'));

    const got = await t.app.inject({
      method: 'GET',
      url: `/api/v1/connections/${connection.id}`,
      headers: auth,
    });
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/connections', headers: auth });
    for (const body of [got.body, listed.body]) {
      assert.ok(!body.includes('sk_test_sealed_key'));
      assert.ok(body.includes('"api_key":"[sealed]"'));
    }
    const [row] = await t.sql.query<{ config: unknown }>('SELECT config FROM connections WHERE id = $1', [
      connection.id,
    ]);
    assert.ok(!JSON.stringify(row?.config).includes('sk_test_sealed_key'), 'the key is stored sealed');

    const tested = await t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connection.id}/test`,
      headers: auth,
    });
    assert.equal(tested.json().ok, true, tested.body);
    assert.deepEqual(seenKeys, ['Bearer sk_test_sealed_key']);
  });

  it('hands the mapping its credential in plain text', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'tokened', secret: 'tokened-signing-secret', config: { token: 'tok-123' } },
    });
    assert.equal(created.json().connection.config.token, '[sealed]');
    const body = JSON.stringify({ hello: 'world' });
    const delivered = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${created.json().connection.id}`,
      headers: {
        ...signWebhook(
          { scheme: 'github' },
          { secret: 'tokened-signing-secret', rawBody: body, nowMs: Date.now() },
        ),
        'content-type': 'application/json',
        'x-github-delivery': 'd-1',
      },
      payload: body,
    });
    assert.equal(delivered.statusCode, 200, delivered.body);
    const event = await t.app.inject({
      method: 'GET',
      url: `/api/v1/events/${delivered.json().results[0].event_id}`,
      headers: auth,
    });
    assert.equal(event.json().event.payload.token_ok, true);
  });

  it('refuses a definition whose secretConfig is not a list of key names', () => {
    assert.throws(
      () =>
        defineConnector({
          id: 'bad',
          streams: [{ key: 'events', mode: 'emit', events: ['a.b'] }],
          secretConfig: ['token', 'token'],
        }),
      (error: Error & { details?: { rule?: string } }) => error.details?.rule === 'secret_config_format',
    );
  });
});
