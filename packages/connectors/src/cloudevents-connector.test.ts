import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runMapping } from '@sluice/map';
import { cloudEventsConnector, cloudEventsExampleConnector } from './cloudevents-connector.ts';
import { deliveryOf } from './fixtures/map-input.ts';

const event = {
  specversion: '1.0',
  id: 'A234-1234-1234',
  source: 'https://shop.example.com/orders',
  type: 'order.created',
  time: '2026-06-11T09:03:02Z',
  datacontenttype: 'application/json',
  data: { entity: { kind: 'order', id: 'SO-11290' }, total: 19.99 },
};

describe('cloudevents connector', () => {
  it('declares its catalog on one webhook stream that accepts CloudEvents', () => {
    assert.equal(cloudEventsExampleConnector.webhook?.cloudevents, true);
    assert.equal(cloudEventsExampleConnector.eventTypes.get('order.created'), 'events');
  });

  it('maps a CloudEvent sent as plain JSON, keyed by source and id, keeping its attributes', () => {
    const result = runMapping(
      cloudEventsExampleConnector,
      deliveryOf(event, { 'content-type': 'application/json' }),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.emissions, [
      {
        source: 'cloudevents',
        event_type: 'order.created',
        dedupe_key: 'https://shop.example.com/orders:A234-1234-1234',
        payload: { entity: { kind: 'order', id: 'SO-11290' }, total: 19.99 },
        occurred_at: '2026-06-11T09:03:02Z',
        cloudevent: {
          specversion: '1.0',
          id: 'A234-1234-1234',
          source: 'https://shop.example.com/orders',
          type: 'order.created',
          time: '2026-06-11T09:03:02Z',
          datacontenttype: 'application/json',
          extensions: {},
        },
      },
    ]);
  });

  it('refuses a body that is not a CloudEvent, naming what is wrong', () => {
    const result = runMapping(
      cloudEventsExampleConnector,
      deliveryOf({ ...event, specversion: '0.3' }, { 'content-type': 'application/json' }),
    );
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? '' : result.error.message,
      /cloudevents: the body is not a CloudEvent: .*specversion/,
    );
  });

  it('makes connectors for other senders, with their own catalog and signature', () => {
    const fleet = cloudEventsConnector({
      id: 'fleet',
      events: ['truck.moved'],
      verify: { scheme: 'standard-webhooks' },
    });
    assert.equal(fleet.webhook?.verify.scheme, 'standard-webhooks');
    assert.deepEqual([...fleet.eventTypes.keys()], ['truck.moved']);
  });
});
