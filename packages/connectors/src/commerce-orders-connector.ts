import type { Emission, MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { commerceOrdersActions, commerceOrdersApi } from './commerce-orders-actions.ts';
import { idOf, isoFromSource, optionalString, recordOf, stringOf } from './source-fields.ts';

const ID = 'commerce-orders';

/** The declared streams, one per event type, with the Shopify webhook topic each arrives on. */
const events = {
  'order.created': { kind: 'webhook', topic: 'orders/create' },
  'order.updated': { kind: 'webhook', topic: 'orders/updated' },
} as const;

type OrderEventType = keyof typeof events;

const EVENT_TYPE_BY_TOPIC: ReadonlyMap<string, OrderEventType> = new Map(
  Object.entries(events).map(([eventType, stream]) => [stream.topic, eventType as OrderEventType]),
);

/**
 * A Shopify order webhook (`orders/create`, `orders/updated`) → one `order.created` / `order.updated`
 * emission. The `x-shopify-topic` header picks the type; an unknown topic throws so the delivery is
 * dead-lettered rather than dropped.
 */
export function mapShopifyOrder(input: MapInput): Emission {
  const topic = input.headers['x-shopify-topic'];
  if (topic === undefined) throw new Error(`${ID}: the delivery has no x-shopify-topic header`);
  const eventType = EVENT_TYPE_BY_TOPIC.get(topic);
  if (eventType === undefined) {
    throw new Error(
      `${ID}: unknown x-shopify-topic ${JSON.stringify(topic)}; this connector maps ${[...EVENT_TYPE_BY_TOPIC.keys()].join(', ')}`,
    );
  }
  const order = recordOf(ID, 'the order webhook body', input.body);
  const orderId = idOf(ID, 'order.id', order['id']);
  const createdAt = stringOf(ID, 'order.created_at', order['created_at']);
  const updatedAt = stringOf(ID, 'order.updated_at', order['updated_at']);
  const total = Number(order['total_price']);
  if (!Number.isFinite(total)) {
    throw new Error(
      `${ID}: order.total_price must be a decimal amount, got ${JSON.stringify(order['total_price'])}`,
    );
  }
  const created = eventType === 'order.created';
  return {
    source: ID,
    event_type: eventType,
    // Creation happens once; updates recur, so the source's updated_at discriminates them.
    dedupe_key: created
      ? `shopify:order:${orderId}:created`
      : `shopify:order:${orderId}:updated:${updatedAt}`,
    occurred_at: isoFromSource(created ? createdAt : updatedAt),
    payload: {
      entity: { kind: 'order', id: orderId },
      order_id: orderId,
      order_name: optionalString(order['name']),
      total,
      currency: optionalString(order['currency']),
      customer_email: optionalString(order['email']),
      placed_at: createdAt,
      updated_at: updatedAt,
      line_items: lineItemsOf(order['line_items']),
    },
  };
}

function lineItemsOf(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) return [];
  return value.map((item: unknown, index) => {
    const line = recordOf(ID, `order.line_items[${index}]`, item);
    return {
      line_item_id: idOf(ID, `order.line_items[${index}].id`, line['id']),
      sku: optionalString(line['sku']),
      title: optionalString(line['title']),
      quantity: typeof line['quantity'] === 'number' ? line['quantity'] : null,
      price: Number.isFinite(Number(line['price'])) ? Number(line['price']) : null,
    };
  });
}

/**
 * Shopify-style commerce orders: `order.created` and `order.updated` webhooks, Shopify signatures; the
 * `order.hold` action.
 */
export const commerceOrdersConnector = defineConnector({
  id: ID,
  version: '1.0.0',
  description: 'Orders from a Shopify-style store: order.created and order.updated webhooks.',
  events,
  webhook: { verify: { scheme: 'shopify' } },
  map: mapShopifyOrder,
  secretConfig: ['access_token'],
  api: commerceOrdersApi,
  actions: commerceOrdersActions,
});
