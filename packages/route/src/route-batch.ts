import { type DeliveredMessage, type Envelope, entityKey, type NewJob, ORIGIN_PRIORITY } from '@sluice/core';
import { renderIdempotencyKey } from './idempotency-key.ts';
import type { RouteTrigger } from './route-trigger.ts';

/** What routing one batch of bus messages makes: jobs in event order, and what matched nothing. */
export interface RoutedBatch {
  /** One per (event, matching trigger): events in delivery order, each event's triggers by id. */
  readonly jobs: ReadonlyArray<NewJob>;
  /** Envelopes that matched at least one trigger. */
  readonly matched: number;
  /** Live envelopes that matched no trigger of their tenant. */
  readonly unmatched: ReadonlyArray<Envelope>;
  /** Quiet envelopes: never routed, should one reach the router. */
  readonly quiet: number;
  /** Messages whose body is not an envelope of the tenant its attributes name; skipped, never retried. */
  readonly unreadable: number;
}

/**
 * Routes bus messages in order: each envelope against its tenant's triggers, each match a job with the
 * trigger's priority or else its origin's, the entity key of its payload, the position of its event and
 * the trigger's idempotency-key template rendered for it.
 */
export function routeMessages(
  messages: ReadonlyArray<DeliveredMessage>,
  match: (envelope: Envelope) => ReadonlyArray<RouteTrigger>,
  traceparentOf: (message: DeliveredMessage) => string | null = () => null,
): RoutedBatch {
  const jobs: NewJob[] = [];
  const unmatched: Envelope[] = [];
  let matched = 0;
  let quiet = 0;
  let unreadable = 0;
  for (const message of messages) {
    if (message.attributes.mode === 'quiet') {
      quiet++;
      continue;
    }
    const envelope = envelopeOf(message);
    if (envelope === null) {
      unreadable++;
      continue;
    }
    const triggers = match(envelope);
    if (triggers.length === 0) {
      unmatched.push(envelope);
      continue;
    }
    matched++;
    const entity = entityKey(envelope.payload);
    const traceparent = traceparentOf(message);
    for (const trigger of triggers) {
      const idempotencyKey = renderIdempotencyKey(trigger.idempotency_key, {
        trigger_id: trigger.id,
        entity_key: entity,
        envelope,
      });
      jobs.push({
        tenant_id: envelope.tenant_id,
        trigger_id: trigger.id,
        event_id: envelope.event_id,
        connection_id: envelope.connection_id,
        priority: trigger.priority ?? ORIGIN_PRIORITY[message.attributes.origin],
        entity_key: entity,
        position: message.attributes.position,
        ...(idempotencyKey === undefined ? {} : { idempotency_key: idempotencyKey }),
        ...(traceparent === null ? {} : { traceparent }),
      });
    }
  }
  return { jobs, matched, unmatched, quiet, unreadable };
}

/**
 * The envelope a message carries, when its body parses and agrees with the attributes on tenant, event
 * and mode, and the message says where the event sits. Anything else is not retried: it would fail again.
 */
function envelopeOf(message: DeliveredMessage): Envelope | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const envelope = parsed as Envelope;
  const { attributes } = message;
  if (
    envelope.tenant_id !== attributes.tenant_id ||
    envelope.event_id !== attributes.event_id ||
    envelope.mode !== 'live' ||
    typeof envelope.event_type !== 'string' ||
    typeof envelope.payload !== 'object' ||
    envelope.payload === null ||
    attributes.position === ''
  ) {
    return null;
  }
  return envelope;
}
