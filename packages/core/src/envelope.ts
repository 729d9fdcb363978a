import type { CloudEventContext } from './cloudevent-context.ts';

/** Envelope schema version stamped on every envelope this build writes. */
export const SCHEMA_VERSION = '1';

/** `live` envelopes are routed; `quiet` ones (backfill) are stored and queryable but never routed. */
export type EnvelopeMode = 'live' | 'quiet';

/** What a payload is about: `payload.entity = { kind, id }`. */
export interface EntityRef {
  readonly kind: string;
  readonly id: string;
}

/**
 * The canonical event envelope. Field names are the public contract (DESIGN.md §2).
 * Platform fields are stamped at ingest; a connector owns only `source`, `event_type`, `stream`,
 * `dedupe_key`, `correlation_id`, `occurred_at`, `payload` and `cloudevent`.
 */
export interface Envelope {
  readonly event_id: string;
  readonly reseller_id: string | null;
  readonly tenant_id: string;
  readonly workspace_id: string | null;
  readonly connection_id: string;
  readonly source: string;
  readonly event_type: string;
  readonly stream: string;
  readonly dedupe_key: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly trace_id: string;
  readonly occurred_at: string | null;
  readonly received_at: string;
  readonly mode: EnvelopeMode;
  readonly schema_version: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly agent_id: string | null;
  readonly session_id: string | null;
  /** The context attributes of the CloudEvent this envelope came in as; null when it did not. */
  readonly cloudevent: CloudEventContext | null;
}

/** The envelope's field names in contract order. */
export const ENVELOPE_FIELDS = [
  'event_id',
  'reseller_id',
  'tenant_id',
  'workspace_id',
  'connection_id',
  'source',
  'event_type',
  'stream',
  'dedupe_key',
  'correlation_id',
  'causation_id',
  'trace_id',
  'occurred_at',
  'received_at',
  'mode',
  'schema_version',
  'payload',
  'agent_id',
  'session_id',
  'cloudevent',
] as const satisfies ReadonlyArray<keyof Envelope>;
