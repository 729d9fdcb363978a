import type { ApiDeclaration, ConnectorActionSpec } from './connector-action.ts';
import type { Emission } from './emission.ts';
import type { VerificationConfig } from './verification.ts';

/**
 * How a stream's events arrive. `webhook`: the source pushes signed deliveries to an ingest URL.
 * `poll`: the platform pulls pages on a schedule or for a backfill. `emit`: emissions are handed to the
 * platform directly (the emit API, or the platform's own events); nothing is received or pulled, so the
 * stream needs neither a signature scheme nor a poll handler. `subscribe`: the platform holds a subscription
 * to a message broker (MQTT) and each message goes through the connector's mapping; the broker's session,
 * not a signature, authenticates the source.
 */
export type StreamMode = 'webhook' | 'poll' | 'emit' | 'subscribe';

/** A stream as declared in a `streams` list (seed 003 style). */
export interface StreamDeclaration {
  /** `lower_snake`, e.g. `customers`. */
  readonly key: string;
  readonly mode: StreamMode;
  /** Cron expression; poll streams only. */
  readonly schedule?: string;
  /** The upstream subscription name: webhook topic, MQTT topic, queue. */
  readonly topic?: string;
  /** The event types this stream emits (dotted `noun.verb`). */
  readonly events: ReadonlyArray<string>;
}

/** A stream as declared in an `events` record keyed by event type (seed 000 style). */
export interface EventStreamDeclaration {
  readonly kind: StreamMode;
  readonly topic?: string;
  readonly schedule?: string;
}

/** The header a broker message's topic is handed to a mapping in (MQTT has no HTTP headers of its own). */
export const MQTT_TOPIC_HEADER = 'mqtt-topic';

/** One inbound delivery as the mapping sees it: raw bytes, parsed body, headers, the connection's config. */
export interface MapInput {
  readonly body: unknown;
  readonly rawBody: Buffer;
  /** Lowercased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly config: Readonly<Record<string, unknown>>;
  readonly connectionId: string;
  readonly tenantId: string;
}

/**
 * What a connector answers to a verified delivery that is a handshake rather than an event (Slack's
 * `url_verification`): the HTTP status and body sent back, with nothing stored.
 */
export interface HandshakeAnswer {
  readonly status: number;
  /** Sent as is: a string as `text/plain`, anything else as JSON. */
  readonly body: unknown;
}

/** Null: not a handshake, map it. Called after the signature is verified, before the mapping. */
export type HandshakeHandler = (input: MapInput) => HandshakeAnswer | null;

export interface PollRequest {
  readonly cursor: string | null;
  readonly from: string | null;
  readonly to: string;
}

export interface PollPage {
  readonly emissions: ReadonlyArray<Emission>;
  readonly cursor: string | null;
  readonly hasMore: boolean;
}

export interface PollContext {
  readonly config: Readonly<Record<string, unknown>>;
  readonly connectionId: string;
  readonly tenantId: string;
  readonly signal: AbortSignal;
}

export type PollHandler = (ctx: PollContext, request: PollRequest) => Promise<PollPage>;

export interface ProbeResult {
  readonly ok: boolean;
  readonly message?: string;
}

/** What a connector author writes. Validated by `defineConnector`. */
export interface ConnectorSpec {
  readonly id: string;
  readonly version?: string;
  readonly description?: string;
  readonly events?: Readonly<Record<string, EventStreamDeclaration>>;
  readonly streams?: ReadonlyArray<StreamDeclaration>;
  readonly webhook?: { readonly verify: VerificationConfig; readonly cloudevents?: boolean };
  /** Pure: one delivery → zero or more emissions on any declared streams. */
  readonly map?: (input: MapInput) => Emission | ReadonlyArray<Emission> | null;
  /** Pure: answers a verified webhook delivery that is a handshake, storing nothing; webhook connectors only. */
  readonly handshake?: HandshakeHandler;
  readonly poll?: Readonly<Record<string, PollHandler>>;
  /** Health probe for `POST /connections/{id}/test`. */
  readonly probe?: (config: Readonly<Record<string, unknown>>) => Promise<ProbeResult>;
  /**
   * Connection config keys that hold credentials (an API key): sealed at rest like signing secrets, never
   * returned by the API, and handed to the mapping, poll handlers and probe in plain text.
   */
  readonly secretConfig?: ReadonlyArray<string>;
  /** The provider API the connector's actions call; required when it declares actions. */
  readonly api?: ApiDeclaration;
  /** Actions by `noun.verb` name (`order.hold`), run by triggers with a `connector` action. */
  readonly actions?: Readonly<Record<string, ConnectorActionSpec>>;
}

/** A validated connector: streams normalized to one list, the event-type catalog resolved. */
export interface Connector {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly streams: ReadonlyArray<StreamDeclaration>;
  /** event_type → the stream key that declares it. */
  readonly eventTypes: ReadonlyMap<string, string>;
  readonly webhook: { readonly verify: VerificationConfig; readonly cloudevents: boolean } | null;
  readonly map: ((input: MapInput) => Emission | ReadonlyArray<Emission> | null) | null;
  readonly handshake: HandshakeHandler | null;
  readonly poll: Readonly<Record<string, PollHandler>>;
  readonly probe: ((config: Readonly<Record<string, unknown>>) => Promise<ProbeResult>) | null;
  readonly secretConfig: ReadonlyArray<string>;
  readonly api: ApiDeclaration | null;
  /** Action name → its declaration; empty when the connector declares none. */
  readonly actions: ReadonlyMap<string, ConnectorActionSpec>;
}
