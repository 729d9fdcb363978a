import { defineConnector } from '@sluice/map';

/**
 * A minimal connector for the ingest contract suite: orders, webhook-verified. Its id is the one
 * `createTestConnection` of `@sluice/store/testing` gives its connections.
 */
export const testConnector = defineConnector({
  id: 'test-orders',
  version: '1.0.0',
  description: 'Orders for the contract suites.',
  streams: [
    { key: 'order_created', mode: 'webhook', events: ['order.created'] },
    { key: 'order_updated', mode: 'webhook', events: ['order.updated'] },
  ],
  webhook: { verify: { scheme: 'shopify' } },
  map: () => null,
});
