import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

describe('webhook smoke', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('accepts a signed Shopify order once and acknowledges its retry as a duplicate', async () => {
    const { tenant, auth } = await t.tenant();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'commerce-orders', secret: 'shpss_test_secret_123' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const body = JSON.stringify({
      id: 820982911946154500,
      name: '#1001',
      total_price: '19.99',
      currency: 'USD',
      email: 'a@b.c',
      created_at: '2026-06-11T09:00:00-04:00',
      updated_at: '2026-06-11T09:00:00-04:00',
      line_items: [],
    });
    const headers = {
      ...signWebhook(
        { scheme: 'shopify' },
        { secret: 'shpss_test_secret_123', rawBody: body, nowMs: Date.now() },
      ),
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
    };
    const first = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/commerce-orders/${tenant.id}`,
      headers,
      payload: body,
    });
    assert.equal(first.statusCode, 200, first.body);
    const retry = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/commerce-orders/${tenant.id}`,
      headers,
      payload: body,
    });
    assert.equal(retry.statusCode, 200, retry.body);
    assert.equal(first.json().accepted, 1);
    assert.equal(retry.json().duplicates, 1);
    assert.equal(retry.json().results[0].event_id, first.json().results[0].event_id);
    const forged = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/commerce-orders/${tenant.id}`,
      headers,
      payload: body.replace('19.99', '19.98'),
    });
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.json().error.code, 'signature_invalid');
  });
});
