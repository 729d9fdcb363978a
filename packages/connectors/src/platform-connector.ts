import type { Emission, EntityRef } from '@sluice/core';
import { defineConnector } from '@sluice/map';

/** The platform's own events: what happened to connections, credentials, integrations and deliveries. */
export const PLATFORM_EVENT_TYPES = [
  'connection.established',
  'connection.retired',
  'credential.rotated',
  'integration.failed',
  'provider.registered',
  'webhook.dead_lettered',
] as const;

export type PlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number];

/**
 * Sluice itself as a source. Its one stream is in `emit` mode: the platform hands these emissions to
 * ingest directly, so there is no webhook to verify, nothing to poll and no mapping.
 */
export const platformConnector = defineConnector({
  id: 'sluice',
  version: '1.0.0',
  description: "The platform's own events: connections, credentials, integrations and dead letters.",
  streams: [{ key: 'platform', mode: 'emit', events: PLATFORM_EVENT_TYPES }],
});

/** What a platform component says about something that happened. */
export interface PlatformEventInput {
  readonly event_type: PlatformEventType;
  /** What the event is about, e.g. `{ kind: 'connection', id: 'con_…' }`. */
  readonly entity: EntityRef;
  /** From the platform's own identifiers, e.g. `sluice:connection:con_…:retired`. */
  readonly dedupe_key: string;
  readonly payload?: Readonly<Record<string, unknown>>;
  readonly occurred_at?: string | null;
  /** The event that caused this one, when there is one. */
  readonly causation_id?: string | null;
  readonly correlation_id?: string;
}

/** A platform event as an emission on the `platform` stream of the `sluice` connector. */
export function platformEmission(input: PlatformEventInput): Emission {
  return {
    source: 'sluice',
    event_type: input.event_type,
    stream: 'platform',
    dedupe_key: input.dedupe_key,
    occurred_at: input.occurred_at ?? null,
    causation_id: input.causation_id ?? null,
    ...(input.correlation_id === undefined ? {} : { correlation_id: input.correlation_id }),
    payload: { ...input.payload, entity: { kind: input.entity.kind, id: input.entity.id } },
  };
}
