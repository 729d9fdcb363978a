import type { Connector } from '@sluice/core';

/** A minimal connector for store and ingest contract tests: orders, webhook-verified, no mapping needed. */
export const testConnector: Connector = Object.freeze({
  id: 'test-orders',
  version: '1.0.0',
  description: 'Orders for the contract suites.',
  streams: [
    { key: 'order_created', mode: 'webhook', events: ['order.created'] },
    { key: 'order_updated', mode: 'webhook', events: ['order.updated'] },
  ],
  eventTypes: new Map([
    ['order.created', 'order_created'],
    ['order.updated', 'order_updated'],
  ]),
  webhook: { verify: { scheme: 'shopify' }, cloudevents: false },
  map: null,
  poll: {},
  probe: null,
});
