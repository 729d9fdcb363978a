import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import type { App } from '../app.ts';
import type { Json } from './json.ts';

/** The secret of the `commerce-orders` connections that {@link createConnection} makes by default. */
export const SHOPIFY_SECRET = 'shpss_errors_test_secret_0123';

let orderNumber = 1000;

/** A Shopify `orders/create` body; each call is a new order. */
export function orderBody(extra: Json = {}): string {
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

/** The headers Shopify sends with `body`: its topic, a fresh webhook id and the body's HMAC under `secret`. */
export function shopifyHeaders(
  body: string | Buffer,
  secret = SHOPIFY_SECRET,
  topic = 'orders/create',
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': randomBytes(8).toString('hex'),
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
  };
}

/** A `commerce-orders` connection of the caller's tenant with `secret`; answers its id. */
export async function createConnection(
  app: App,
  auth: { authorization: string },
  secret = SHOPIFY_SECRET,
): Promise<string> {
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
export async function storedOf(app: App, auth: { authorization: string }, connectionId: string) {
  const events = await app.inject({ url: `/api/v1/events?connection_id=${connectionId}`, headers: auth });
  const deadLetters = await app.inject({ url: '/api/v1/dead-letters', headers: auth });
  return {
    events: (events.json().items as ReadonlyArray<Json>).length,
    deadLetters: (deadLetters.json().items as ReadonlyArray<Json>).length,
  };
}
