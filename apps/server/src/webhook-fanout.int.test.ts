import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

/** One order webhook that also tells of its customer: two envelopes, on two streams. */
const shop = defineConnector({
  id: 'fanout-shop',
  streams: [
    { key: 'orders', mode: 'webhook', events: ['order.created'] },
    { key: 'customers', mode: 'webhook', events: ['customer.created'] },
  ],
  webhook: { verify: { scheme: 'github' } },
  map: ({ body }) => {
    const order = body as { id: number; customer: { id: number; email: string; new: boolean | string } };
    const emissions = [
      {
        source: 'fanout-shop',
        event_type: 'order.created',
        dedupe_key: `shop:order:${order.id}:created`,
        payload: { entity: { kind: 'order', id: String(order.id) }, customer_id: String(order.customer.id) },
      },
    ];
    if (order.customer.new !== false) {
      emissions.push({
        source: 'fanout-shop',
        event_type: order.customer.new === true ? 'customer.created' : String(order.customer.new),
        dedupe_key: `shop:customer:${order.customer.id}:created`,
        payload: {
          entity: { kind: 'customer', id: String(order.customer.id) },
          customer_id: order.customer.email,
        },
      });
    }
    return emissions;
  },
});

describe('one delivery, several envelopes on several streams', () => {
  let t: TestApp;
  let tenantId: string;
  let auth: { authorization: string };
  const secret = 'fanout-secret-123';

  before(async () => {
    t = await startTestApp({ connectors: [shop] });
    ({
      tenant: { id: tenantId },
      auth,
    } = await t.tenant('Fan-out'));
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'fanout-shop', secret },
    });
    assert.equal(created.statusCode, 201);
  });
  after(() => t.close());

  const deliver = (order: unknown) => {
    const body = JSON.stringify(order);
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/fanout-shop/${tenantId}`,
      headers: {
        ...signWebhook({ scheme: 'github' }, { secret, rawBody: body, nowMs: Date.now() }),
        'content-type': 'application/json',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
      payload: body,
    });
  };
  const events = async (): Promise<Envelope[]> =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/events?event_type=*.created', headers: auth })).json()
      .items;

  it('stores every emission of the delivery, each on its own stream, in one commit', async () => {
    const response = await deliver({ id: 1001, customer: { id: 77, email: 'a@example.com', new: true } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().accepted, 2);
    const stored = await events();
    assert.deepEqual(
      stored.map((e) => [e.event_type, e.stream, e.payload['entity']]),
      [
        ['order.created', 'orders', { kind: 'order', id: '1001' }],
        ['customer.created', 'customers', { kind: 'customer', id: '77' }],
      ],
    );
    assert.ok(stored.every((e) => e.trace_id === '4bf92f3577b34da6a3ce929d0e0e4736'));
  });

  it('dedupes per element: a second order of a known customer adds only the order', async () => {
    const response = await deliver({ id: 1002, customer: { id: 77, email: 'a@example.com', new: true } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      response.json().results.map((r: { status: string }) => r.status),
      ['accepted', 'duplicate'],
    );
    assert.equal((await events()).length, 3);
  });

  it('keeps none of a delivery when one of its emissions is invalid, and dead-letters it', async () => {
    const response = await deliver({
      id: 1003,
      customer: { id: 78, email: 'b@example.com', new: 'customer.exploded' },
    });
    assert.equal(response.statusCode, 202, response.body);
    assert.equal(response.json().status, 'dead_lettered');
    const stored = await events();
    assert.equal(stored.length, 3);
    const entityIds = stored.map((e) => (e.payload['entity'] as { id: string }).id);
    assert.ok(
      !entityIds.includes('1003') && !entityIds.includes('78'),
      `stored part of it: ${entityIds.join()}`,
    );
  });
});
