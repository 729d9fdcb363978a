import type { Emission } from './emission.ts';
import type { EntityRef } from './envelope.ts';

/** The connector the platform's own events come from, and its one stream. */
export const PLATFORM_CONNECTOR_ID = 'sluice';
export const PLATFORM_STREAM = 'platform';

/** The tenant that owns platform-wide events such as `provider.registered`. */
export const SYSTEM_TENANT_ID = 'ten_system';

/**
 * Every platform event type, the one list: the platform connector declares exactly these, and each stage
 * that reports a fact picks from them.
 */
export const PLATFORM_EVENT_TYPES = [
  'connection.established',
  'connection.retired',
  'credential.rotated',
  'integration.failed',
  'provider.registered',
  'api_client.registered',
  'webhook.dead_lettered',
  'dead_letter.replayed',
  'dead_letters.threshold_crossed',
  'dead_letters.recovered',
  'webhook.subscribed',
  'webhook.delivered',
  'webhook.disabled',
  'run.completed',
  'stream.status_changed',
] as const;

export type PlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number];

/** What a platform component says about something that happened. */
export interface PlatformEventInput {
  readonly event_type: PlatformEventType;
  /** What the event is about, e.g. `{ kind: 'connection', id: 'con_…' }`. */
  readonly entity: EntityRef;
  /** From `platformDedupeKey`. */
  readonly dedupe_key: string;
  readonly payload?: Readonly<Record<string, unknown>>;
  readonly occurred_at?: string | null;
  /** The event that caused this one, when there is one. */
  readonly causation_id?: string | null;
  readonly correlation_id?: string;
}

/**
 * The one dedupe-key convention for platform events: the entity, the fact, and what tells two such facts
 * apart (a secret id, a time), e.g. `connection:con_1:credential_rotated:sec_2`.
 */
export function platformDedupeKey(
  entity: EntityRef,
  fact: string,
  ...qualifiers: ReadonlyArray<string>
): string {
  return [entity.kind, entity.id, fact, ...qualifiers].join(':');
}

/** A platform event as an emission on the platform connector's stream. */
export function platformEmission(input: PlatformEventInput): Emission {
  return {
    source: PLATFORM_CONNECTOR_ID,
    event_type: input.event_type,
    stream: PLATFORM_STREAM,
    dedupe_key: input.dedupe_key,
    occurred_at: input.occurred_at ?? null,
    causation_id: input.causation_id ?? null,
    ...(input.correlation_id === undefined ? {} : { correlation_id: input.correlation_id }),
    payload: { ...input.payload, entity: { kind: input.entity.kind, id: input.entity.id } },
  };
}
