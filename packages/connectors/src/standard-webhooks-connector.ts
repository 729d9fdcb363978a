import type { Connector, Emission, MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { isoFromSource, recordOf, stringOf } from './source-fields.ts';

/** Options of a Standard Webhooks source. */
export interface StandardWebhooksOptions {
  /** The connector id, also the emissions' `source` and the dedupe key prefix. */
  readonly id: string;
  /** The event types the sender posts (its `type` field), dotted `noun.verb`. */
  readonly events: ReadonlyArray<string>;
  readonly description?: string;
  readonly version?: string;
}

/** The generic catalog the shipped `standard-webhooks` connector accepts. */
export const STANDARD_WEBHOOKS_EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'invoice.created',
  'invoice.paid',
  'message.sent',
  'message.delivered',
  'message.failed',
] as const;

/**
 * A mapping for deliveries in the Standard Webhooks payload structure, `{ type, timestamp, data }`:
 * one emission of `type` (which must be declared), deduped on the `webhook-id` header, occurring at
 * `timestamp`, about the entity `{ kind: <noun of the type>, id: data.id }`. `data` becomes the payload.
 */
export function standardWebhooksMapping(
  id: string,
  events: ReadonlyArray<string>,
): (input: MapInput) => Emission {
  const declared = new Set(events);
  return (input) => {
    const webhookId = input.headers['webhook-id'];
    if (webhookId === undefined || webhookId === '') {
      throw new Error(`${id}: the delivery has no webhook-id header`);
    }
    const body = recordOf(id, 'the webhook body', input.body);
    const type = stringOf(id, 'type', body['type']);
    if (!declared.has(type)) {
      throw new Error(
        `${id}: event type ${JSON.stringify(type)} is not declared; this connector accepts ${[...declared].join(', ')}`,
      );
    }
    const data = recordOf(id, 'data', body['data']);
    const entityId = data['id'];
    const kind = type.slice(0, type.indexOf('.'));
    const hasEntity = (typeof entityId === 'string' && entityId !== '') || typeof entityId === 'number';
    return {
      source: id,
      event_type: type,
      stream: 'events',
      // webhook-id is the sender's idempotency key: the same on every retry of one message.
      dedupe_key: `${id}:${webhookId}`,
      occurred_at: isoFromSource(body['timestamp']),
      payload: hasEntity ? { ...data, entity: { kind, id: String(entityId) } } : { ...data },
    };
  };
}

/**
 * Makes a connector for any sender that follows the Standard Webhooks spec: one `events` webhook stream
 * declaring `events`, verified with the `standard-webhooks` scheme.
 */
export function standardWebhooksConnector(options: StandardWebhooksOptions): Connector {
  return defineConnector({
    id: options.id,
    version: options.version ?? '1.0.0',
    description: options.description ?? `Standard Webhooks deliveries from "${options.id}".`,
    streams: [{ key: 'events', mode: 'webhook', events: options.events }],
    webhook: { verify: { scheme: 'standard-webhooks' } },
    map: standardWebhooksMapping(options.id, options.events),
  });
}

/** A generic Standard Webhooks source with a contacts, invoices and messages catalog. */
export const standardWebhooksExampleConnector = standardWebhooksConnector({
  id: 'standard-webhooks',
  events: STANDARD_WEBHOOKS_EVENT_TYPES,
  description: 'Any sender following the Standard Webhooks spec: { type, timestamp, data } payloads.',
});
