import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveStream, runMapping } from '@sluice/map';
import { commerceOrdersConnector, mapShopifyOrder } from './commerce-orders-connector.ts';
import { deliveryOf } from './fixtures/map-input.ts';
import { shopifyHeaders, shopifyOrderCreated, shopifyOrderUpdated } from './fixtures/shopify-order.ts';

describe('commerce-orders connector', () => {
  it('declares one webhook stream per event type with its Shopify topic', () => {
    assert.equal(commerceOrdersConnector.id, 'commerce-orders');
    assert.deepEqual(commerceOrdersConnector.webhook?.verify, { scheme: 'shopify' });
    assert.deepEqual(commerceOrdersConnector.streams, [
      { key: 'order_created', mode: 'webhook', events: ['order.created'], topic: 'orders/create' },
      { key: 'order_updated', mode: 'webhook', events: ['order.updated'], topic: 'orders/updated' },
    ]);
  });

  it('maps an orders/create delivery to one normalized order.created emission', () => {
    const result = runMapping(
      commerceOrdersConnector,
      deliveryOf(
        shopifyOrderCreated,
        shopifyHeaders('orders/create', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043'),
      ),
    );
    assert.deepEqual(result, {
      ok: true,
      emissions: [
        {
          source: 'commerce-orders',
          event_type: 'order.created',
          dedupe_key: 'shopify:order:5832107614443:created',
          occurred_at: '2025-03-14T14:21:33.000Z',
          payload: {
            entity: { kind: 'order', id: '5832107614443' },
            order_id: '5832107614443',
            order_name: '#1042',
            total: 100.8,
            currency: 'EUR',
            customer_email: 'ines.moreau@example.com',
            placed_at: '2025-03-14T10:21:33-04:00',
            updated_at: '2025-03-14T10:21:35-04:00',
            line_items: [
              {
                line_item_id: '14880234225899',
                sku: 'MUG-STONE-350',
                title: 'Stoneware mug',
                quantity: 2,
                price: 24,
              },
              {
                line_item_id: '14880234258667',
                sku: 'TEA-SENCHA-100',
                title: 'Sencha, 100 g',
                quantity: 3,
                price: 12,
              },
            ],
          },
        },
      ],
    });
    const [emission] = result.ok ? result.emissions : [];
    assert.ok(emission);
    assert.deepEqual(resolveStream(commerceOrdersConnector, emission), { ok: true, stream: 'order_created' });
  });

  it('maps orders/updated to order.updated, occurring at the source updated_at', () => {
    const emission = mapShopifyOrder(
      deliveryOf(
        shopifyOrderUpdated,
        shopifyHeaders('orders/updated', 'c1f2e0a4-7d3b-4a9e-9f61-0b8e2d4c6a11'),
      ),
    );
    assert.equal(emission.event_type, 'order.updated');
    assert.equal(emission.dedupe_key, 'shopify:order:5832107614443:updated:2025-03-15T08:02:11-04:00');
    assert.equal(emission.occurred_at, '2025-03-15T12:02:11.000Z');
    assert.deepEqual(resolveStream(commerceOrdersConnector, emission), { ok: true, stream: 'order_updated' });
  });

  it('gives a recurring update with a different updated_at a different dedupe key, and a retry the same', () => {
    const headers = shopifyHeaders('orders/updated', 'c1f2e0a4-7d3b-4a9e-9f61-0b8e2d4c6a11');
    const first = mapShopifyOrder(deliveryOf(shopifyOrderUpdated, headers));
    const retry = mapShopifyOrder(deliveryOf({ ...shopifyOrderUpdated }, headers));
    const later = mapShopifyOrder(
      deliveryOf(
        { ...shopifyOrderUpdated, updated_at: '2025-03-16T09:00:00-04:00', financial_status: 'refunded' },
        headers,
      ),
    );
    assert.equal(retry.dedupe_key, first.dedupe_key);
    assert.notEqual(later.dedupe_key, first.dedupe_key);
  });

  it('throws on an unknown topic, so the platform dead-letters the delivery', () => {
    const result = runMapping(
      commerceOrdersConnector,
      deliveryOf(
        shopifyOrderCreated,
        shopifyHeaders('orders/delete', 'd2a1b3c4-0000-4000-8000-000000000001'),
      ),
    );
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error.message, /unknown x-shopify-topic "orders\/delete"/);
  });

  it('throws on a delivery without a topic header or without an order id', () => {
    assert.throws(() => mapShopifyOrder(deliveryOf(shopifyOrderCreated, {})), /no x-shopify-topic header/);
    const { id: _id, ...withoutId } = shopifyOrderCreated;
    assert.throws(
      () => mapShopifyOrder(deliveryOf(withoutId, shopifyHeaders('orders/create', 'e'))),
      /order\.id must be a string or number id/,
    );
  });
});
