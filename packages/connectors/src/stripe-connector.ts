import type { Emission, MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { idOf, isoFromEpochSeconds, optionalString, recordOf, stringOf } from './source-fields.ts';
import { pollStripeCustomers } from './stripe-customers-poll.ts';
import { probeStripe } from './stripe-probe.ts';

const ID = 'stripe';

/** The Stripe event types the `events` webhook stream accepts, under Stripe's own names. */
export const STRIPE_WEBHOOK_EVENT_TYPES = [
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'invoice.paid',
  'invoice.payment_failed',
  'checkout.session.completed',
] as const;

const WEBHOOK_EVENT_TYPES: ReadonlySet<string> = new Set(STRIPE_WEBHOOK_EVENT_TYPES);

/**
 * A Stripe event (`{ id: 'evt_…', type, created, data: { object } }`) → one emission on the `events`
 * stream, under Stripe's type. A type this connector does not declare throws (dead-lettered).
 */
export function mapStripeEvent(input: MapInput): Emission {
  const event = recordOf(ID, 'the event body', input.body);
  const eventId = stringOf(ID, 'event.id', event['id']);
  const type = stringOf(ID, 'event.type', event['type']);
  if (!WEBHOOK_EVENT_TYPES.has(type)) {
    throw new Error(
      `${ID}: event type ${JSON.stringify(type)} (${eventId}) is not declared by stream "events"; declare it in STRIPE_WEBHOOK_EVENT_TYPES or stop sending it from the Stripe dashboard`,
    );
  }
  const data = recordOf(ID, 'event.data', event['data']);
  const object = recordOf(ID, 'event.data.object', data['object']);
  const kind = stringOf(ID, 'event.data.object.object', object['object']);
  const objectId = idOf(ID, 'event.data.object.id', object['id']);
  return {
    source: ID,
    event_type: type,
    stream: 'events',
    dedupe_key: `stripe:event:${eventId}`,
    occurred_at: isoFromEpochSeconds(event['created']),
    payload: {
      entity: { kind, id: objectId },
      stripe_event_id: eventId,
      livemode: event['livemode'] === true,
      ...summaryOf(object),
      raw: object,
    },
  };
}

/** The fields operators reason over, under one set of names whatever the Stripe object. */
function summaryOf(object: Record<string, unknown>): Record<string, unknown> {
  const amount =
    object['amount_paid'] ?? object['amount_received'] ?? object['amount_total'] ?? object['amount'];
  const customer = object['object'] === 'customer' ? object['id'] : object['customer'];
  return {
    status: optionalString(object['status']),
    amount: typeof amount === 'number' ? amount : null,
    currency: optionalString(object['currency']),
    customer_id: typeof customer === 'string' ? customer : null,
    email: optionalString(object['email'] ?? object['customer_email'] ?? object['receipt_email']),
  };
}

/** Stripe: every account event by webhook (`events`), and a 15-minute customer sync (`customers`). */
export const stripeConnector = defineConnector({
  id: ID,
  version: '1.0.0',
  description: 'Stripe events by webhook and a cursor-paged customer sync.',
  streams: [
    { key: 'events', mode: 'webhook', events: STRIPE_WEBHOOK_EVENT_TYPES },
    { key: 'customers', mode: 'poll', schedule: '*/15 * * * *', events: ['customer.synced'] },
  ],
  webhook: { verify: { scheme: 'stripe' } },
  map: mapStripeEvent,
  poll: { customers: pollStripeCustomers },
  probe: probeStripe,
  secretConfig: ['api_key'],
});
