import type { CloudEventContext } from './cloudevent-context.ts';

/**
 * What a connector's mapping returns: the envelope fields the connector owns.
 * The platform stamps everything else at ingest.
 */
export interface Emission {
  /** Stable lowercase source id: `cn-magento`, `bacnet-gw-7`, `cron`. */
  readonly source: string;
  /** Dotted `noun.verb`; must be declared by the connector. */
  readonly event_type: string;
  /** From the source's own identifiers, with a version discriminator for recurring types. */
  readonly dedupe_key: string;
  /** The normalized observation; `payload.entity = { kind, id }` names what it is about. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The stream key; defaults to the stream that declares `event_type`. */
  readonly stream?: string;
  /** Set when continuing existing work; generated otherwise. */
  readonly correlation_id?: string;
  /** The source's own timestamp (ISO 8601). */
  readonly occurred_at?: string | null;
  /** Operators only. */
  readonly agent_id?: string | null;
  readonly session_id?: string | null;
  /** Platform and operator events: the event that caused this one. */
  readonly causation_id?: string | null;
  /** The CloudEvent this emission was decoded from, its context attributes as sent; `type` is `event_type`. */
  readonly cloudevent?: CloudEventContext | null;
}
