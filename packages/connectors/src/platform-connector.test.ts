import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLATFORM_EVENT_TYPES, platformEmission } from '@sluice/core';
import { ConnectorRegistry, resolveStream, runMapping } from '@sluice/map';
import { deliveryOf } from './fixtures/map-input.ts';
import { cronConnector, exampleConnectors } from './index.ts';
import { platformConnector } from './platform-connector.ts';

describe('platform connector', () => {
  it('declares the platform events on one emit stream, with no webhook, mapping or poll handler', () => {
    assert.equal(platformConnector.id, 'sluice');
    assert.deepEqual(platformConnector.streams, [
      { key: 'platform', mode: 'emit', events: [...PLATFORM_EVENT_TYPES] },
    ]);
    assert.equal(platformConnector.webhook, null);
    assert.equal(platformConnector.map, null);
    assert.deepEqual(Object.keys(platformConnector.poll), []);
  });

  it('builds emissions that resolve to the platform stream', () => {
    const emission = platformEmission({
      event_type: 'webhook.dead_lettered',
      entity: { kind: 'dead_letter', id: 'dlq_0192f0c4b7a27c6e8d1f3a5b6c7d8e9f' },
      dedupe_key: 'sluice:dead_letter:dlq_0192f0c4b7a27c6e8d1f3a5b6c7d8e9f:created',
      occurred_at: '2025-03-14T14:21:35.120Z',
      payload: { connector: 'commerce-orders', error_message: 'unknown x-shopify-topic "orders/delete"' },
    });
    assert.deepEqual(emission, {
      source: 'sluice',
      event_type: 'webhook.dead_lettered',
      stream: 'platform',
      dedupe_key: 'sluice:dead_letter:dlq_0192f0c4b7a27c6e8d1f3a5b6c7d8e9f:created',
      occurred_at: '2025-03-14T14:21:35.120Z',
      causation_id: null,
      payload: {
        connector: 'commerce-orders',
        error_message: 'unknown x-shopify-topic "orders/delete"',
        entity: { kind: 'dead_letter', id: 'dlq_0192f0c4b7a27c6e8d1f3a5b6c7d8e9f' },
      },
    });
    assert.deepEqual(resolveStream(platformConnector, emission), { ok: true, stream: 'platform' });
  });

  it('rejects an event type it does not declare', () => {
    const result = resolveStream(platformConnector, { event_type: 'order.created', stream: 'platform' });
    assert.equal(!result.ok && result.rule, 'event_type_undeclared');
  });

  it('has no mapping to run for a delivery', () => {
    const result = runMapping(platformConnector, deliveryOf({}, {}));
    assert.equal(!result.ok && result.error.rule, 'map_missing');
  });
});

describe('exampleConnectors', () => {
  it('registers every shipped connector, the platform and the cron connector under distinct ids', () => {
    const registry = new ConnectorRegistry([...exampleConnectors, platformConnector, cronConnector]);
    assert.deepEqual(
      registry.list().map((connector) => connector.id),
      [
        'commerce-orders',
        'stripe',
        'github',
        'standard-webhooks',
        'cloudevents',
        'mqtt',
        'slack',
        'http-poll',
        'sluice',
        'cron',
      ],
    );
  });
});
