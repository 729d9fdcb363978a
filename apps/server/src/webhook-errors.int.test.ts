import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exampleConnectors, platformConnector } from '@sluice/connectors';
import { generateApiKey, SecretBox } from '@sluice/control';
import { createPostgresClient, SqlStores } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { type App, buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createContext, registerProviders } from './create-context.ts';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './testing/index.ts';

/** Bad input on the ingest routes: the right status and code, `{ error: { code, message } }`, nothing stored. */

type Json = Record<string, unknown>;

const SECRET = 'shpss_errors_test_secret_0123';

function assertError(response: LightMyRequestResponse, status: number, code: string): Json {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json() as Json;
  assert.deepEqual(Object.keys(body), ['error']);
  const error = body['error'] as Json;
  assert.equal(error['code'], code);
  assert.equal(typeof error['message'], 'string');
  assert.ok((error['message'] as string).length > 0);
  assert.ok(Object.keys(error).every((key) => ['code', 'message', 'details'].includes(key)));
  return error;
}

let orderNumber = 1000;

/** A Shopify `orders/create` body; each call is a new order. */
function orderBody(extra: Json = {}): string {
  orderNumber++;
  return JSON.stringify({
    id: 5832107600000 + orderNumber,
    name: `#${orderNumber}`,
    email: 'ines.moreau@example.com',
    created_at: '2025-03-14T10:21:33-04:00',
    updated_at: '2025-03-14T10:21:35-04:00',
    currency: 'EUR',
    total_price: '100.80',
    line_items: [],
    ...extra,
  });
}

function shopifyHeaders(
  body: string | Buffer,
  secret = SECRET,
  topic = 'orders/create',
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': randomBytes(8).toString('hex'),
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
  };
}

async function createConnection(app: App, auth: { authorization: string }, secret = SECRET): Promise<string> {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/connections',
    headers: auth,
    payload: { connector_id: 'commerce-orders', secret },
  });
  assert.equal(created.statusCode, 201, created.body);
  return (created.json().connection as { id: string }).id;
}

/** The tenant's envelopes of one connection and its dead letters: what a rejected request must not change. */
async function storedOf(app: App, auth: { authorization: string }, connectionId: string) {
  const events = await app.inject({ url: `/api/v1/events?connection_id=${connectionId}`, headers: auth });
  const deadLetters = await app.inject({ url: '/api/v1/dead-letters', headers: auth });
  return {
    events: (events.json().items as ReadonlyArray<Json>).length,
    deadLetters: (deadLetters.json().items as ReadonlyArray<Json>).length,
  };
}

describe('webhook ingest errors', () => {
  let t: TestApp;
  let clockMs = Date.parse('2026-06-11T09:00:00Z');
  let auth: { authorization: string };
  let tenantId: string;
  let connectionId: string;
  let url: string;

  before(async () => {
    t = await startTestApp({ now: () => new Date(clockMs) });
    const made = await t.tenant('Errors');
    auth = made.auth;
    tenantId = made.tenant.id;
    connectionId = await createConnection(t.app, auth);
    url = `/api/v1/webhooks/commerce-orders/${tenantId}`;
  });
  after(() => t.close());

  const post = (path: string, headers: Record<string, string>, payload: string | Buffer) =>
    t.app.inject({ method: 'POST', url: path, headers, payload });

  it('accepts a well-formed signed order (the baseline the other cases differ from)', async () => {
    const body = orderBody();
    const response = await post(url, shopifyHeaders(body), body);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().accepted, 1);
  });

  it('answers malformed JSON with a valid signature with 400 invalid_json', async () => {
    const before = await storedOf(t.app, auth, connectionId);
    const body = '{"id": 5832107614443, "name": "#1042",';
    assertError(await post(url, shopifyHeaders(body), body), 400, 'invalid_json');
    assertError(await post(`/api/v1/ingest/${connectionId}`, shopifyHeaders(''), ''), 400, 'invalid_json');
    assert.deepEqual(await storedOf(t.app, auth, connectionId), before);
  });

  it('accepts a body of exactly SLUICE_BODY_LIMIT_BYTES (1 MiB by default) and refuses one byte more with 413', async () => {
    assert.equal(t.config.bodyLimitBytes, 1024 * 1024);
    const before = await storedOf(t.app, auth, connectionId);
    const skeleton = orderBody({ note: '' });
    const atLimit = skeleton.replace(
      '"note":""',
      `"note":"${'x'.repeat(t.config.bodyLimitBytes - skeleton.length)}"`,
    );
    assert.equal(Buffer.byteLength(atLimit), t.config.bodyLimitBytes);
    const accepted = await post(url, shopifyHeaders(atLimit), atLimit);
    assert.equal(accepted.statusCode, 200, accepted.body.slice(0, 300));
    const overLimit = atLimit.replace('"note":"', '"note":"y');
    assert.equal(Buffer.byteLength(overLimit), t.config.bodyLimitBytes + 1);
    assertError(await post(url, shopifyHeaders(overLimit), overLimit), 413, 'payload_too_large');
    assert.deepEqual(await storedOf(t.app, auth, connectionId), {
      ...before,
      events: before.events + 1,
    });
  });

  it('refuses a non-JSON media type, and CloudEvents on a connector that does not declare them, with 415', async () => {
    const before = await storedOf(t.app, auth, connectionId);
    const body = orderBody();
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/cloudevents+json',
      'application/cloudevents-batch+json',
    ]) {
      const headers = { ...shopifyHeaders(body), 'content-type': contentType };
      assertError(await post(url, headers, body), 415, 'unsupported_media_type');
    }
    const { 'content-type': _dropped, ...untyped } = shopifyHeaders(body);
    assertError(await post(url, untyped, body), 415, 'unsupported_media_type');
    assert.deepEqual(await storedOf(t.app, auth, connectionId), before);
  });

  it('answers unknown connectors, connections and tenants with 404', async () => {
    const body = orderBody();
    const headers = shopifyHeaders(body);
    assertError(
      await post(`/api/v1/webhooks/magento/${tenantId}`, headers, body),
      404,
      'connector_not_found',
    );
    // The platform's own connector takes no deliveries from outside.
    assertError(
      await post(`/api/v1/webhooks/${platformConnector.id}/${tenantId}`, headers, body),
      404,
      'connector_not_found',
    );
    assertError(await post('/api/v1/ingest/con_doesnotexist', headers, body), 404, 'connection_not_found');
    const { tenant: lonely } = await t.tenant('No connections');
    assertError(
      await post(`/api/v1/webhooks/commerce-orders/${lonely.id}`, headers, body),
      404,
      'connection_not_found',
    );
    assertError(
      await post('/api/v1/webhooks/commerce-orders/ten_doesnotexist', headers, body),
      404,
      'connection_not_found',
    );
  });

  it('ingests into the connection’s tenant whatever tenant the body names', async () => {
    const other = await t.tenant('Other');
    const body = orderBody({ tenant_id: other.tenant.id, connection_id: 'con_forged' });
    const response = await post(`/api/v1/ingest/${connectionId}`, shopifyHeaders(body), body);
    assert.equal(response.statusCode, 200, response.body);
    const eventId = response.json().results[0].event_id as string;
    const mine = await t.app.inject({ url: `/api/v1/events/${eventId}`, headers: auth });
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().event.tenant_id, tenantId);
    assert.equal(mine.json().event.connection_id, connectionId);
    const theirs = await t.app.inject({ url: `/api/v1/events/${eventId}`, headers: other.auth });
    assertError(theirs, 404, 'event_not_found');
  });

  it('refuses every delivery to a retired connection, storing nothing, not even a dead letter', async () => {
    const { auth: retiredAuth, tenant } = await t.tenant('Retiring');
    const id = await createConnection(t.app, retiredAuth);
    const retired = await t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${id}/retire`,
      headers: retiredAuth,
    });
    assert.equal(retired.statusCode, 200, retired.body);
    const before = await storedOf(t.app, retiredAuth, id);

    const body = orderBody();
    assertError(
      await post(`/api/v1/webhooks/commerce-orders/${tenant.id}`, shopifyHeaders(body), body),
      404,
      'connection_not_found',
    );
    assertError(await post(`/api/v1/ingest/${id}`, shopifyHeaders(body), body), 409, 'connection_retired');
    // A delivery the mapping would dead-letter (an unknown topic) is refused too, not kept.
    const unknownTopic = shopifyHeaders(body, SECRET, 'orders/fulfilled');
    assertError(await post(`/api/v1/ingest/${id}`, unknownTopic, body), 409, 'connection_retired');
    assert.deepEqual(await storedOf(t.app, retiredAuth, id), before);
    assert.equal(before.events, 0);
  });

  it('rotates the secret: both verify during the overlap, only the new one after it', async () => {
    const { auth: rotAuth } = await t.tenant('Rotating');
    const id = await createConnection(t.app, rotAuth, 'shpss_old_secret_aaaa');
    const ingest = `/api/v1/ingest/${id}`;
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${id}/rotate-secret`,
      headers: rotAuth,
      payload: { secret: 'shpss_new_secret_bbbb', overlap_seconds: 3600 },
    });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.equal(rotated.json().secret, undefined, 'a supplied secret is never echoed');
    assert.equal(rotated.json().previous_secret_expires_at, new Date(clockMs + 3_600_000).toISOString());

    const send = (secret: string) => {
      const body = orderBody();
      return post(ingest, shopifyHeaders(body, secret), body);
    };
    assert.equal((await send('shpss_old_secret_aaaa')).statusCode, 200);
    assert.equal((await send('shpss_new_secret_bbbb')).statusCode, 200);
    assertError(await send('shpss_never_issued_cccc'), 401, 'signature_invalid');

    clockMs += 3_600_000 - 1_000;
    assert.equal((await send('shpss_old_secret_aaaa')).statusCode, 200, 'still inside the overlap');
    clockMs += 2_000;
    assertError(await send('shpss_old_secret_aaaa'), 401, 'signature_invalid');
    assert.equal((await send('shpss_new_secret_bbbb')).statusCode, 200);

    // overlap_seconds 0: the previous secret stops verifying at once.
    const immediate = await t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${id}/rotate-secret`,
      headers: rotAuth,
      payload: { overlap_seconds: 0 },
    });
    assert.equal(immediate.statusCode, 200, immediate.body);
    const generated = immediate.json().secret as string;
    assert.match(generated, /^[0-9a-f]{64}$/);
    assertError(await send('shpss_new_secret_bbbb'), 401, 'signature_invalid');
    assert.equal((await send(generated)).statusCode, 200);
    assert.equal((await storedOf(t.app, rotAuth, id)).events, 5);
  });
});

describe('webhook ingest quota', () => {
  let t: TestApp;
  let clockMs = Date.parse('2026-06-11T09:00:00Z');

  before(async () => {
    t = await startTestApp({
      env: { SLUICE_CONNECTION_RATE: '1', SLUICE_CONNECTION_BURST: '2' },
      now: () => new Date(clockMs),
    });
  });
  after(() => t.close());

  it('answers 429 with Retry-After once a connection spends its burst, storing nothing, and recovers', async () => {
    const { auth } = await t.tenant('Busy');
    const id = await createConnection(t.app, auth);
    const ingest = `/api/v1/ingest/${id}`;
    const send = (body: string, secret = SECRET) =>
      t.app.inject({ method: 'POST', url: ingest, headers: shopifyHeaders(body, secret), payload: body });

    // Forged requests are refused for their signature and spend none of the connection's quota.
    for (let i = 0; i < 3; i++) {
      assertError(await send(orderBody(), 'shpss_forger_secret'), 401, 'signature_invalid');
    }
    assert.equal((await send(orderBody())).statusCode, 200);
    assert.equal((await send(orderBody())).statusCode, 200);
    const throttledBody = orderBody();
    const throttled = await send(throttledBody);
    assertError(throttled, 429, 'quota_exceeded');
    assert.equal(throttled.headers['retry-after'], '1');
    assert.equal((await storedOf(t.app, auth, id)).events, 2);

    // Quotas are per connection: another connection is not held back.
    const { auth: otherAuth } = await t.tenant('Quiet');
    const otherId = await createConnection(t.app, otherAuth);
    const otherBody = orderBody();
    const other = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${otherId}`,
      headers: shopifyHeaders(otherBody),
      payload: otherBody,
    });
    assert.equal(other.statusCode, 200, other.body);

    clockMs += 1_000;
    const retried = await send(throttledBody);
    assert.equal(retried.statusCode, 200, retried.body);
    assert.equal(retried.json().accepted, 1);
    assertError(await send(orderBody()), 429, 'quota_exceeded');
    assert.equal((await storedOf(t.app, auth, id)).events, 3);
  });
});

/**
 * A TCP relay in front of PostgreSQL that can cut every connection and refuse new ones, as a database
 * outage looks to the server, and then let connections through again.
 */
async function startRelay(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    down = true;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    restore: () => {
      down = false;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('webhook ingest while storage is unreachable (postgres)', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let app: App;
  let store: SqlStores;
  let admin: ReturnType<typeof createPostgresClient>;
  const schema = `sluice_test_${randomBytes(6).toString('hex')}`;

  before(async () => {
    const target = new URL(TEST_DATABASE_URL);
    relay = await startRelay({ host: target.hostname, port: Number(target.port || 5432) });
    admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const relayed = new URL(TEST_DATABASE_URL);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(relay.port);
    store = new SqlStores(createPostgresClient({ connectionString: relayed.toString(), schema, max: 4 }));
    await store.maintenance.migrate();
    const ctx = createContext({
      config: loadConfig({ SLUICE_ADMIN_KEY: TEST_ADMIN_KEY, SLUICE_DEV: '0', SLUICE_LOG_LEVEL: 'silent' }),
      store,
      connectors: [...exampleConnectors, platformConnector],
      secretBox: new SecretBox(Buffer.alloc(32, 7)),
    });
    await registerProviders(ctx);
    app = await buildApp(ctx);
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.maintenance.close();
    await relay.close();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  });

  it('answers 503 with Retry-After (and /readyz 503) while down, and stores the retried delivery once after', async () => {
    const tenant = await store.tenancy.createTenant({ name: 'Outage' });
    const { key, prefix, hash } = generateApiKey();
    await store.tenancy.createApiKey({ tenant_id: tenant.id, name: 'test', prefix, hash });
    const auth = { authorization: `Bearer ${key}` };
    const id = await createConnection(app, auth);
    const url = `/api/v1/webhooks/commerce-orders/${tenant.id}`;
    const first = orderBody();
    const accepted = await app.inject({
      method: 'POST',
      url,
      headers: shopifyHeaders(first),
      payload: first,
    });
    assert.equal(accepted.statusCode, 200, accepted.body);

    relay.cut();
    const body = orderBody();
    const headers = shopifyHeaders(body);
    for (const path of [url, `/api/v1/ingest/${id}`]) {
      const refused = await app.inject({ method: 'POST', url: path, headers, payload: body });
      assertError(refused, 503, 'storage_unavailable');
      assert.match(String(refused.headers['retry-after']), /^[1-9][0-9]*$/);
    }
    const notReady = await app.inject({ url: '/readyz' });
    assertError(notReady, 503, 'storage_unavailable');
    assert.ok(notReady.headers['retry-after'] !== undefined);

    relay.restore();
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    // The provider retries the refused delivery byte for byte: it is new, so nothing was kept while down.
    const retried = await app.inject({ method: 'POST', url, headers, payload: body });
    assert.equal(retried.statusCode, 200, retried.body);
    assert.equal(retried.json().accepted, 1);
    assert.equal((await storedOf(app, auth, id)).events, 2);
  });
});
