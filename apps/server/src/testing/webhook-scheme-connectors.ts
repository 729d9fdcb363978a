import { exampleConnectors } from '@sluice/connectors';
import type { MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { record } from './json.ts';

/** A generic HMAC-SHA256 sender: `X-Acme-Signature: sha256=<hex of "{timestamp}.{body}">`. */
const acmePaymentsConnector = defineConnector({
  id: 'acme-payments',
  version: '1.0.0',
  streams: [{ key: 'payments', mode: 'webhook', events: ['payment.captured', 'payment.refunded'] }],
  webhook: {
    verify: {
      scheme: 'hmac-sha256',
      header: 'X-Acme-Signature',
      prefix: 'sha256=',
      timestampHeader: 'X-Acme-Timestamp',
    },
  },
  map: ({ body }: MapInput) => {
    const event = record(body, 'the acme event');
    const payment = record(event['data'], 'data');
    return {
      source: 'acme-payments',
      event_type: String(event['type']),
      dedupe_key: `acme:event:${String(event['id'])}`,
      occurred_at: String(event['created_at']),
      payload: { ...payment, entity: { kind: 'payment', id: String(payment['id']) } },
    };
  },
});

/** Slack's Events API: `event_callback` deliveries carrying an `app_mention`. */
const slackEventsConnector = defineConnector({
  id: 'slack-events',
  version: '1.0.0',
  streams: [{ key: 'mentions', mode: 'webhook', events: ['mention.received'] }],
  webhook: { verify: { scheme: 'slack' } },
  map: ({ body }: MapInput) => {
    const callback = record(body, 'the event callback');
    const event = record(callback['event'], 'event');
    return {
      source: 'slack-events',
      event_type: 'mention.received',
      dedupe_key: `slack:${String(callback['team_id'])}:${String(callback['event_id'])}`,
      occurred_at: new Date(Number(callback['event_time']) * 1000).toISOString(),
      payload: {
        entity: { kind: 'channel', id: String(event['channel']) },
        user: event['user'],
        text: event['text'],
      },
    };
  },
});

/** The example connectors, and two that verify with the generic hmac-sha256 and the slack schemes. */
export const SCHEME_CONNECTORS = [...exampleConnectors, acmePaymentsConnector, slackEventsConnector];
