import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSluiceError } from '@sluice/core';
import { resolveStream, runMapping } from '@sluice/map';
import { deliveryOf } from './fixtures/map-input.ts';
import {
  standardWebhooksConnector,
  standardWebhooksExampleConnector,
} from './standard-webhooks-connector.ts';

/** The example payload of the Standard Webhooks spec. */
const contactCreated = {
  type: 'contact.created',
  timestamp: '2022-11-03T20:26:10.344522Z',
  data: { id: '1f81eb52-5198-4599-803e-771906343485', type: 'contact', email: 'ines@example.com' },
};

const headers = (webhookId: string) => ({
  'content-type': 'application/json',
  'webhook-id': webhookId,
  'webhook-timestamp': '1667507170',
  'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
});

describe('standard-webhooks connector', () => {
  it('declares one events webhook stream verified with the standard-webhooks scheme', () => {
    assert.equal(standardWebhooksExampleConnector.id, 'standard-webhooks');
    assert.deepEqual(standardWebhooksExampleConnector.webhook?.verify, { scheme: 'standard-webhooks' });
    assert.equal(standardWebhooksExampleConnector.eventTypes.get('invoice.paid'), 'events');
  });

  it('maps { type, timestamp, data } to one emission about data.id, kind the noun of the type', () => {
    const result = runMapping(
      standardWebhooksExampleConnector,
      deliveryOf(contactCreated, headers('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')),
    );
    assert.deepEqual(result, {
      ok: true,
      emissions: [
        {
          source: 'standard-webhooks',
          event_type: 'contact.created',
          stream: 'events',
          dedupe_key: 'standard-webhooks:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
          occurred_at: '2022-11-03T20:26:10.344Z',
          payload: {
            id: '1f81eb52-5198-4599-803e-771906343485',
            type: 'contact',
            email: 'ines@example.com',
            entity: { kind: 'contact', id: '1f81eb52-5198-4599-803e-771906343485' },
          },
        },
      ],
    });
    const [emission] = result.ok ? result.emissions : [];
    assert.ok(emission);
    assert.deepEqual(resolveStream(standardWebhooksExampleConnector, emission), {
      ok: true,
      stream: 'events',
    });
  });

  it('gives a later update (a new message id) a different dedupe key, and a retry the same', () => {
    const connector = standardWebhooksExampleConnector;
    const update = { ...contactCreated, type: 'contact.updated', timestamp: '2022-11-04T08:00:00Z' };
    const first = runMapping(connector, deliveryOf(update, headers('msg_A')));
    const retry = runMapping(connector, deliveryOf(update, headers('msg_A')));
    const later = runMapping(
      connector,
      deliveryOf({ ...update, timestamp: '2022-11-05T08:00:00Z' }, headers('msg_B')),
    );
    assert.ok(first.ok && retry.ok && later.ok);
    assert.equal(retry.emissions[0]?.dedupe_key, first.emissions[0]?.dedupe_key);
    assert.notEqual(later.emissions[0]?.dedupe_key, first.emissions[0]?.dedupe_key);
  });

  it('rejects an undeclared type and a delivery without webhook-id', () => {
    const undeclared = runMapping(
      standardWebhooksExampleConnector,
      deliveryOf({ ...contactCreated, type: 'contact.merged' }, headers('msg_C')),
    );
    assert.equal(undeclared.ok, false);
    assert.match(
      undeclared.ok ? '' : undeclared.error.message,
      /event type "contact.merged" is not declared/,
    );
    const anonymous = runMapping(standardWebhooksExampleConnector, deliveryOf(contactCreated, {}));
    assert.match(anonymous.ok ? '' : anonymous.error.message, /no webhook-id header/);
  });

  it('makes custom connectors from the factory, validated like any definition', () => {
    const billing = standardWebhooksConnector({ id: 'acme-billing', events: ['subscription.renewed'] });
    const result = runMapping(
      billing,
      deliveryOf(
        { type: 'subscription.renewed', timestamp: '2025-01-01T00:00:00Z', data: { id: 42, plan: 'pro' } },
        headers('msg_D'),
      ),
    );
    assert.ok(result.ok);
    assert.equal(result.emissions[0]?.dedupe_key, 'acme-billing:msg_D');
    assert.deepEqual(result.emissions[0]?.payload['entity'], { kind: 'subscription', id: '42' });
    assert.throws(
      () => standardWebhooksConnector({ id: 'acme-billing', events: ['SubscriptionRenewed'] }),
      (error: unknown) => isSluiceError(error) && error.code === 'connector_definition_invalid',
    );
  });
});
