import {
  context,
  INVALID_TRACEID,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  type AppendInput,
  type Connection,
  type ConnectionStore,
  type Connector,
  DEFAULT_TOLERANCE_SECONDS,
  type DeadLetterStore,
  type Emission,
  type PlatformEventInput,
  type RateLimit,
  traceIdFromTraceparent,
  tracer,
} from '@sluice/core';
import type { ElementResult, Ingestor } from '@sluice/ingest';
import type { MappingFailure } from '@sluice/map';
import { type VerifySuccess, verifyWebhook } from '@sluice/signatures';
import { writeDeadLetter } from '../dead-letter-writer.ts';
import { type Delivery, mediaTypeRefusal } from './delivery.ts';
import { emissionsOf } from './delivery-emissions.ts';
import { handshakeOf } from './handshake.ts';
import { type ReceiveOutcome, refused } from './receive-outcome.ts';
import { TtlCache } from './ttl-cache.ts';

type Secrets = ReadonlyArray<{ secret: string; expiresAt: Date | null }>;

export interface WebhookReceiverDeps {
  readonly connections: Pick<ConnectionStore, 'findForIngest' | 'list'>;
  readonly deadLetters: Pick<DeadLetterStore, 'create'>;
  /** The registered connectors; `notFound` words the error for an unknown id, with the near names. */
  readonly connectors: { get(id: string): Connector | null; notFound(id: string): string };
  readonly ingestor: Pick<Ingestor, 'ingest'>;
  /** A connection's plaintext secrets that had not expired at `now`, each with its expiry (null: current). */
  secretsOf(connection: Connection, now: Date): Promise<Secrets>;
  /** Per-connection rate: 0 to go ahead, else the seconds to wait. */
  readonly quota: { take(connectionId: string, limit: RateLimit | null): number };
  /** Connectors that receive nothing from outside (the platform's own events). */
  readonly internalConnectors: ReadonlySet<string>;
  /** The connection's config as the mapping sees it (sealed credentials opened); its stored config if absent. */
  configOf?(connection: Connection): Readonly<Record<string, unknown>>;
  /** The platform event a new dead letter commits with (`webhook.dead_lettered`); none when absent. */
  platformFact?(tenantId: string, event: PlatformEventInput): Promise<AppendInput>;
  /** Told of each new dead letter, after it committed (metrics). */
  onDeadLetter?(connector: Connector): void;
  readonly now: () => Date;
  /**
   * How long a looked-up connection and its secrets are reused, in ms (default 1000; 0 turns it off). A
   * retirement still takes effect at once (the ingest transaction checks it). Changes reach `invalidate`
   * through change notifications; the time-out is the fallback when a notification is lost.
   */
  readonly lookupTtlMs?: number;
}

/**
 * receive → verify → map → ingest for one delivery. Returns what became of it: ingested, dead-lettered
 * (verified, but the mapping cannot handle it), or refused with nothing stored (forged, stale, replayed,
 * unreadable, over quota, unknown connection).
 */
export class WebhookReceiver {
  readonly #deps: WebhookReceiverDeps;
  readonly #connections: TtlCache<Connection | null>;
  readonly #tenantConnections: TtlCache<ReadonlyArray<Connection>>;
  readonly #secrets: TtlCache<Secrets>;

  constructor(deps: WebhookReceiverDeps) {
    this.#deps = deps;
    const ttl = deps.lookupTtlMs ?? 1000;
    const clock = () => deps.now().getTime();
    this.#connections = new TtlCache(ttl, clock);
    this.#tenantConnections = new TtlCache(ttl, clock);
    this.#secrets = new TtlCache(ttl, clock);
  }

  /** Forgets every cached connection and secret (a connection or secret changed somewhere). */
  invalidate(): void {
    this.#connections.clear();
    this.#tenantConnections.clear();
    this.#secrets.clear();
  }

  /** The per-connection ingest URL: the connection id names connector and tenant. */
  receiveForConnection(connectionId: string, delivery: Delivery): Promise<ReceiveOutcome> {
    return traced(delivery, { 'sluice.connection_id': connectionId }, () =>
      this.#receiveForConnection(connectionId, delivery),
    );
  }

  /** `/webhooks/{connector}/{tenant_id}`: any active connection of that connector in that tenant may verify it. */
  receiveForTenant(connectorId: string, tenantId: string, delivery: Delivery): Promise<ReceiveOutcome> {
    return traced(delivery, { 'sluice.connector_id': connectorId, 'sluice.tenant_id': tenantId }, () =>
      this.#receiveForTenant(connectorId, tenantId, delivery),
    );
  }

  async #receiveForConnection(connectionId: string, delivery: Delivery): Promise<ReceiveOutcome> {
    const connection = await this.#connections.get(connectionId, () =>
      this.#deps.connections.findForIngest(connectionId),
    );
    if (connection === null || this.#deps.internalConnectors.has(connection.connector_id)) {
      return refused('connection_not_found', `Connection "${connectionId}" does not exist.`);
    }
    // Refused before mapping, so a retired connection keeps nothing, not even a dead letter.
    if (connection.status !== 'active') {
      return refused('connection_retired', `Connection "${connectionId}" is retired.`);
    }
    const connector = this.#connector(connection.connector_id);
    if (connector === null) {
      return refused('connector_not_found', this.#deps.connectors.notFound(connection.connector_id));
    }
    return this.#receive(connector, [connection], delivery);
  }

  async #receiveForTenant(
    connectorId: string,
    tenantId: string,
    delivery: Delivery,
  ): Promise<ReceiveOutcome> {
    const connector = this.#connector(connectorId);
    if (connector === null)
      return refused('connector_not_found', this.#deps.connectors.notFound(connectorId));
    const connections = await this.#tenantConnections.get(`${tenantId}\u0000${connectorId}`, () =>
      this.#deps.connections.list(tenantId, { connector_id: connectorId, status: 'active' }),
    );
    if (connections.length === 0) {
      return refused(
        'connection_not_found',
        `Tenant "${tenantId}" has no active connection of connector "${connectorId}".`,
      );
    }
    return this.#receive(connector, connections, delivery);
  }

  #connector(connectorId: string): Connector | null {
    const connector = this.#deps.connectors.get(connectorId);
    return connector === null || this.#deps.internalConnectors.has(connector.id) ? null : connector;
  }

  async #receive(
    connector: Connector,
    candidates: ReadonlyArray<Connection>,
    delivery: Delivery,
  ): Promise<ReceiveOutcome> {
    if (connector.webhook === null) {
      return refused('connector_not_found', `Connector "${connector.id}" receives no webhooks.`);
    }
    const media = mediaTypeRefusal(connector, delivery);
    if (media !== null) return refused(media.code, media.message);
    const verified = await this.#verify(connector, candidates, delivery);
    if (verified.kind === 'refused') return verified;
    const { connection, success } = verified;
    const wait = this.#deps.quota.take(connection.id, connection.rate_limit);
    if (wait > 0) {
      return refused('quota_exceeded', `Connection "${connection.id}" is over its request rate.`, wait);
    }
    const config = this.#deps.configOf?.(connection) ?? connection.config;
    const answer = handshakeOf(connector, connection, delivery, config);
    if (answer !== null) return { kind: 'answered', connection, ...answer };
    const mapped = emissionsOf(connector, connection, delivery, config);
    if (!mapped.ok) {
      if ('refusal' in mapped) return refused(mapped.refusal.code, mapped.refusal.message);
      return this.#deadLetter(connector, connection, delivery, mapped.failure);
    }
    if (mapped.emissions.length === 0) return { kind: 'ingested', connection, results: [] };
    const ingested = await this.#ingest(connector, connection, mapped.emissions, delivery, success);
    if (ingested.kind === 'failed')
      return this.#deadLetter(connector, connection, delivery, ingested.failure);
    if (ingested.kind === 'replayed') {
      return refused(
        'webhook_replayed',
        'This signed delivery was already received; a retry must be signed anew.',
      );
    }
    return { kind: 'ingested', connection, results: ingested.results, trace_id: ingested.trace_id };
  }

  async #deadLetter(
    connector: Connector,
    connection: Connection,
    delivery: Delivery,
    failure: MappingFailure,
  ): Promise<ReceiveOutcome> {
    const deadLetter = await writeDeadLetter(this.#deps, connector, connection, delivery, failure);
    return { kind: 'dead_lettered', connection, deadLetter, failure };
  }

  /** The first candidate connection whose secrets verify the delivery; else the first failure. */
  async #verify(
    connector: Connector,
    candidates: ReadonlyArray<Connection>,
    delivery: Delivery,
  ): Promise<
    | { readonly kind: 'verified'; readonly connection: Connection; readonly success: VerifySuccess }
    | (ReceiveOutcome & { readonly kind: 'refused' })
  > {
    const verify = connector.webhook?.verify;
    if (verify === undefined) {
      return {
        kind: 'refused',
        code: 'signature_invalid',
        message: 'The connector names no verification scheme.',
      };
    }
    const now = this.#deps.now();
    let failure: {
      code: 'signature_missing' | 'signature_invalid' | 'timestamp_stale';
      message: string;
    } | null = null;
    for (const connection of candidates) {
      const known = await this.#secrets.get(connection.id, () => this.#deps.secretsOf(connection, now));
      const secrets = known.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
      const result = verifyWebhook(verify, {
        rawBody: delivery.rawBody,
        headers: delivery.headers,
        secrets,
        nowMs: now.getTime(),
      });
      if (result.ok) return { kind: 'verified', connection, success: result };
      failure ??= result;
    }
    return {
      kind: 'refused',
      ...(failure ?? { code: 'signature_invalid', message: 'No secret to verify with.' }),
    };
  }

  async #ingest(
    connector: Connector,
    connection: Connection,
    emissions: ReadonlyArray<Emission>,
    delivery: Delivery,
    verified: VerifySuccess,
  ): Promise<
    | {
        readonly kind: 'committed';
        readonly results: ReadonlyArray<ElementResult>;
        readonly trace_id: string;
      }
    | { readonly kind: 'replayed' }
    | { readonly kind: 'failed'; readonly failure: MappingFailure }
  > {
    const traceId = traceIdFromTraceparent(delivery.headers['traceparent']);
    const replayKey = verified.replayKey ?? null;
    // A replay key outlives the tolerance on both sides of now, so a signature cannot come back while fresh.
    const replayUntil = new Date(this.#deps.now().getTime() + 2 * toleranceOf(connector) * 1000);
    const result = await this.#deps.ingestor.ingest(connection, emissions, {
      ...(traceId === null ? {} : { trace_id: traceId }),
      ...(replayKey === null ? {} : { replay: { key: replayKey, expiresAt: replayUntil } }),
    });
    if (result.status === 'committed') {
      return { kind: 'committed', results: result.results, trace_id: result.trace_id };
    }
    if (result.status === 'replayed') return { kind: 'replayed' };
    return { kind: 'failed', failure: ingestFailure(result.rejection) };
  }
}

/**
 * Runs one delivery under a `receive` span that continues the sender's `traceparent`; with tracing off the
 * span is the API's no-op and the delivery runs as it is.
 */
function traced(
  delivery: Delivery,
  attributes: Record<string, string>,
  receive: () => Promise<ReceiveOutcome>,
): Promise<ReceiveOutcome> {
  const parent = propagation.extract(ROOT_CONTEXT, delivery.headers);
  const span = tracer.startSpan('receive', { kind: SpanKind.SERVER }, parent);
  // Tracing off: the no-op span has no context to hand on. (A sampled-out one does, and its children
  // must inherit that decision, so it runs as the active span like a recorded one.)
  if (span.spanContext().traceId === INVALID_TRACEID) {
    span.end();
    return receive();
  }
  span.setAttributes(attributes);
  return context.with(trace.setSpan(parent, span), receive).then(
    (outcome) => {
      span.setAttribute('sluice.outcome', outcome.kind);
      if ('connection' in outcome && outcome.connection !== undefined) {
        span.setAttribute('sluice.connection_id', outcome.connection.id);
        span.setAttribute('sluice.tenant_id', outcome.connection.tenant_id);
      }
      if (outcome.kind === 'refused') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.code });
      span.end();
      return outcome;
    },
    (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
      throw error;
    },
  );
}

/** An ingest rejection of what a mapping emitted, as the dead letter's failure. */
export function ingestFailure(rejection: {
  readonly code: string;
  readonly message: string;
  readonly index?: number;
  readonly rule?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}): MappingFailure {
  return {
    stage: 'ingest',
    message: rejection.message,
    code: rejection.code,
    ...(rejection.rule === undefined ? {} : { rule: rejection.rule }),
    ...(rejection.index === undefined ? {} : { index: rejection.index }),
    ...(rejection.details === undefined ? {} : { details: rejection.details }),
  };
}

function toleranceOf(connector: Connector): number {
  const verify = connector.webhook?.verify;
  return verify !== undefined && 'toleranceSeconds' in verify && verify.toleranceSeconds !== undefined
    ? verify.toleranceSeconds
    : DEFAULT_TOLERANCE_SECONDS;
}
