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
  /** Poll streams that return whole records: how records become `*.created/updated/deleted` events. */
  readonly changes?: ChangeDetection;
  /**
   * Poll streams: whether a connection with this config polls the stream (the scheduler schedules only
   * active streams). Absent: always.
   */
  readonly active?: (config: Readonly<Record<string, unknown>>) => boolean;
}

/**
 * Synthetic change events for a poll stream whose pages return whole records (`PollPage.records`): each
 * record's SHA-256 over its canonical JSON is compared with the stored hash. New → `<prefix>.created`,
 * changed → `<prefix>.updated` with a field-level diff, gone from a complete snapshot → `<prefix>.deleted`.
 */
export interface ChangeDetection {
  /** The entity kind of the emitted events, e.g. `customer`. */
  readonly entity_kind: string;
  /** The record field holding its id (a dotted path, e.g. `id`). */
  readonly id_field: string;
  /** The event-type prefix: `customer` gives `customer.created`, `customer.updated`, `customer.deleted`. */
  readonly event_prefix: string;
  /** Top-level or dotted fields left out of the hash and the diff (fetch timestamps and the like). */
  readonly ignore_fields?: ReadonlyArray<string>;
  /**
   * Each complete pass returns every record (a full snapshot): records not seen by a complete,
   * successful pass are reported deleted. Off by default: a paged delta stream never reports deletions.
   */
  readonly snapshot?: boolean;
  /** How long a record's hash is kept after it was last seen, in ms (default 7 days). */
  readonly ttl_ms?: number;
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
  /** Events the handler made itself. May be empty when the stream returns `records`. */
  readonly emissions: ReadonlyArray<Emission>;
  /**
   * Whole records, for a stream declared with `changes`: the platform turns them into created, updated
   * and deleted events by comparing hashes.
   */
  readonly records?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly cursor: string | null;
  readonly hasMore: boolean;
  /**
   * The source asked to slow down (a 429 or 503 with `Retry-After`): the page's content is committed, and
   * the stream pauses until this ISO instant. A handler may also throw `RateLimitedError`.
   */
  readonly rateLimitedUntil?: string;
}

/**
 * Thrown by a poll handler when the source refuses for now (HTTP 429 or 503): nothing of this page is
 * committed, the stream pauses until `until`. `rateLimitedFrom` builds one from a response.
 */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  readonly until: Date;
  constructor(until: Date, message = `rate limited until ${until.toISOString()}`) {
    super(message);
    this.until = until;
  }
}

/**
 * A `RateLimitedError` for a 429 or 503 response, its `Retry-After` read as seconds or an HTTP date
 * (absent or unreadable: `fallbackSeconds`); null for any other status.
 */
export function rateLimitedFrom(
  response: { readonly status: number; readonly headers: { get(name: string): string | null } },
  now: Date,
  fallbackSeconds = 60,
): RateLimitedError | null {
  if (response.status !== 429 && response.status !== 503) return null;
  const header = response.headers.get('retry-after')?.trim() ?? '';
  let until = new Date(now.getTime() + fallbackSeconds * 1000);
  if (/^\d+$/.test(header)) until = new Date(now.getTime() + Number(header) * 1000);
  else if (header !== '' && !Number.isNaN(Date.parse(header))) until = new Date(Date.parse(header));
  return new RateLimitedError(
    until,
    `the source answered ${response.status}; retry after ${until.toISOString()}`,
  );
}

export interface PollContext {
  readonly config: Readonly<Record<string, unknown>>;
  readonly connectionId: string;
  readonly tenantId: string;
  readonly signal: AbortSignal;
  /**
   * The fetch a poll handler reaches its source with: the platform's, behind the outbound target guard
   * (no private, loopback or metadata addresses, by URL, by DNS answer or by redirect, unless the server
   * allows private targets). Use it instead of the global `fetch`.
   */
  readonly fetch: typeof fetch;
}

export type PollHandler = (ctx: PollContext, request: PollRequest) => Promise<PollPage>;

/** What a probe is handed besides the config: the platform's guarded fetch, as poll handlers are. */
export interface ProbeContext {
  readonly fetch: typeof fetch;
}

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
  /** Health probe for `POST /connections/{id}/test`; it reaches the provider with `context.fetch`. */
  readonly probe?: (config: Readonly<Record<string, unknown>>, context: ProbeContext) => Promise<ProbeResult>;
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
  readonly probe:
    | ((config: Readonly<Record<string, unknown>>, context: ProbeContext) => Promise<ProbeResult>)
    | null;
  readonly secretConfig: ReadonlyArray<string>;
  readonly api: ApiDeclaration | null;
  /** Action name → its declaration; empty when the connector declares none. */
  readonly actions: ReadonlyMap<string, ConnectorActionSpec>;
}
