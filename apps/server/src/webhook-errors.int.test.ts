import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { platformConnector } from '@sluice/connectors';
import { assertError } from './testing/assert-error.ts';
import { startTestApp, type TestApp } from './testing/index.ts';
import {
  createConnection,
  orderBody,
  SHOPIFY_SECRET,
  shopifyHeaders,
  storedOf,
} from './testing/shopify-deliveries.ts';

/** Bad input on the ingest routes: the right status and code, `{ error: { code, message } }`, nothing stored. */

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
    const unknownTopic = shopifyHeaders(body, SHOPIFY_SECRET, 'orders/fulfilled');
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
