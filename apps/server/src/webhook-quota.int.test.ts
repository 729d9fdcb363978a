import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from './testing/assert-error.ts';
import { startTestApp, type TestApp } from './testing/index.ts';
import {
  createConnection,
  orderBody,
  SHOPIFY_SECRET,
  shopifyHeaders,
  storedOf,
} from './testing/shopify-deliveries.ts';

/** The per-connection ingest quota: a 429 with Retry-After, nothing stored, and recovery once it refills. */

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
    const send = (body: string, secret = SHOPIFY_SECRET) =>
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
