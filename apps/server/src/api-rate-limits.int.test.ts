import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

describe('per-connection rate limits', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let now = new Date();

  before(async () => {
    // The clock stands still unless a test moves it, so no bucket refills by itself.
    t = await startTestApp({ now: () => now });
    ({ auth } = await t.tenant('Limits'));
  });
  after(() => t.close());

  const connect = async (payload: Record<string, unknown>) => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'commerce-orders', secret: 'limits-secret-123', ...payload },
    });
    assert.equal(created.statusCode, 201, created.body);
    return created.json().connection as { id: string; rate_limit: unknown };
  };
  let counter = 0;
  const emit = (connectionId: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: auth,
      payload: {
        connection_id: connectionId,
        emission: {
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: `limits:${counter++}`,
          payload: { entity: { kind: 'order', id: String(counter) } },
        },
      },
    });
  const statuses = async (connectionId: string, n: number) => {
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push((await emit(connectionId)).statusCode);
    return codes;
  };

  it('holds a connection to its own rate, leaving others at the default', async () => {
    const slow = await connect({ rate_limit: { per_second: 1, burst: 2 } });
    const normal = await connect({});
    assert.deepEqual(slow.rate_limit, { per_second: 1, burst: 2 });
    assert.equal(normal.rate_limit, null);
    assert.deepEqual(await statuses(slow.id, 3), [200, 200, 429]);
    const refused = await emit(slow.id);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.json().error.code, 'quota_exceeded');
    assert.deepEqual(await statuses(normal.id, 3), [200, 200, 200]);

    // The webhook route counts against the same bucket.
    const body = JSON.stringify({
      id: 1,
      total_price: '1',
      currency: 'USD',
      created_at: '2026-01-01T00:00:00Z',
    });
    const webhook = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${slow.id}`,
      headers: {
        ...signWebhook(
          { scheme: 'shopify' },
          { secret: 'limits-secret-123', rawBody: body, nowMs: now.getTime() },
        ),
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
      },
      payload: body,
    });
    assert.equal(webhook.statusCode, 429, webhook.body);
  });

  it('changes a connection limit with PATCH, and back to the default with null', async () => {
    const connection = await connect({ rate_limit: { per_second: 1, burst: 1 } });
    assert.deepEqual(await statuses(connection.id, 2), [200, 429]);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/connections/${connection.id}`,
      headers: auth,
      payload: { rate_limit: { per_second: 50, burst: 5 }, name: 'Renamed' },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().connection.name, 'Renamed');
    now = new Date(now.getTime() + 1_000);
    assert.deepEqual(await statuses(connection.id, 6), [200, 200, 200, 200, 200, 429]);
    const reset = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/connections/${connection.id}`,
      headers: auth,
      payload: { rate_limit: null },
    });
    assert.equal(reset.json().connection.rate_limit, null);
    assert.equal(reset.json().connection.name, 'Renamed');
  });

  it('refuses a malformed limit or an empty change with 400', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'commerce-orders', rate_limit: { per_second: 0, burst: 1 } },
    });
    assert.equal(bad.statusCode, 400);
    const connection = await connect({});
    const empty = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/connections/${connection.id}`,
      headers: auth,
      payload: {},
    });
    assert.equal(empty.statusCode, 400);
    const { auth: stranger } = await t.tenant('Stranger');
    const foreign = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/connections/${connection.id}`,
      headers: stranger,
      payload: { name: 'mine now' },
    });
    assert.equal(foreign.statusCode, 404);
  });
});
