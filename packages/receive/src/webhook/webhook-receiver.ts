import {
  type Connection,
  type Connector,
  DEFAULT_TOLERANCE_SECONDS,
  type DeadLetter,
  type Emission,
  SluiceError,
  type Store,
  traceIdFromTraceparent,
} from '@sluice/core';
import type { ElementResult, Ingestor } from '@sluice/ingest';
import { type VerifyFailure, type VerifySuccess, verifyWebhook } from '@sluice/signatures';
import { deadLetterRecord } from './dead-letter-record.ts';
import { checkMediaType, type Delivery } from './delivery.ts';
import { emissionsOf } from './delivery-emissions.ts';
import { MAPPING_FAULT_CODES, MappingFault } from './mapping-fault.ts';
import { TtlCache } from './ttl-cache.ts';

export type ReceiveOutcome =
  | {
      readonly kind: 'ingested';
      readonly connection: Connection;
      readonly results: ReadonlyArray<ElementResult>;
    }
  | { readonly kind: 'dead_lettered'; readonly connection: Connection; readonly deadLetter: DeadLetter };

export interface WebhookReceiverDeps {
  readonly store: Store;
  readonly connectors: { get(id: string): Connector | null };
  readonly ingestor: Ingestor;
  /** A connection's plaintext secrets that had not expired at `now`, each with its expiry (null: current). */
  secretsOf(
    connection: Connection,
    now: Date,
  ): Promise<ReadonlyArray<{ secret: string; expiresAt: Date | null }>>;
  /** Per-connection rate: returns to go ahead, throws `quota_exceeded` otherwise. */
  readonly quota: { admit(connection: Connection): void };
  /** Connectors that receive nothing from outside (the platform's own events). */
  readonly internalConnectors: ReadonlySet<string>;
  /** The connection's config as the mapping sees it (sealed credentials opened); its stored config if absent. */
  configOf?(connection: Connection): Readonly<Record<string, unknown>>;
  /** Told of each new dead letter (metrics, platform events). */
  onDeadLetter?(deadLetter: DeadLetter, connector: Connector, connection: Connection): Promise<void>;
  readonly now: () => Date;
  /**
   * How long a looked-up connection and its secrets are reused, in ms (default 1000; 0 turns it off). A
   * retirement still takes effect at once (the ingest transaction checks it); a rotation made in another
   * process is seen within this time. `invalidate()` drops everything this process holds.
   */
  readonly lookupTtlMs?: number;
}

/**
 * receive → verify → map → ingest for one delivery. A forged, stale or replayed delivery is refused with
 * nothing stored; a correctly signed one the mapping cannot handle is acknowledged and kept as a dead letter.
 */
export class WebhookReceiver {
  readonly #deps: WebhookReceiverDeps;
  readonly #connections: TtlCache<Connection | null>;
  readonly #tenantConnections: TtlCache<ReadonlyArray<Connection>>;
  readonly #secrets: TtlCache<ReadonlyArray<{ secret: string; expiresAt: Date | null }>>;

  constructor(deps: WebhookReceiverDeps) {
    this.#deps = deps;
    const ttl = deps.lookupTtlMs ?? 1000;
    const clock = () => deps.now().getTime();
    this.#connections = new TtlCache(ttl, clock);
    this.#tenantConnections = new TtlCache(ttl, clock);
    this.#secrets = new TtlCache(ttl, clock);
  }

  /** Forgets every cached connection and secret (after this process changed one). */
  invalidate(): void {
    this.#connections.clear();
    this.#tenantConnections.clear();
    this.#secrets.clear();
  }

  /** The per-connection ingest URL: the connection id names connector and tenant. */
  async receiveForConnection(connectionId: string, delivery: Delivery): Promise<ReceiveOutcome> {
    const connection = await this.#connections.get(connectionId, () =>
      this.#deps.store.findConnectionForIngest(connectionId),
    );
    if (connection === null || this.#deps.internalConnectors.has(connection.connector_id)) {
      throw new SluiceError('connection_not_found', `Connection "${connectionId}" does not exist.`);
    }
    // Refused before mapping, so a retired connection keeps nothing, not even a dead letter.
    if (connection.status !== 'active') {
      throw new SluiceError('connection_retired', `Connection "${connectionId}" is retired.`);
    }
    return this.#receive(this.#connector(connection.connector_id), [connection], delivery);
  }

  /** `/webhooks/{connector}/{tenant_id}`: any active connection of that connector in that tenant may verify it. */
  async receiveForTenant(connectorId: string, tenantId: string, delivery: Delivery): Promise<ReceiveOutcome> {
    const connector = this.#connector(connectorId);
    const connections = await this.#tenantConnections.get(`${tenantId}\u0000${connectorId}`, () =>
      this.#deps.store.listConnections(tenantId, { connector_id: connectorId, status: 'active' }),
    );
    if (connections.length === 0) {
      throw new SluiceError(
        'connection_not_found',
        `Tenant "${tenantId}" has no active connection of connector "${connectorId}".`,
      );
    }
    return this.#receive(connector, connections, delivery);
  }

  /** Runs a dead letter's delivery through the (fixed) mapping again. Verified at receipt; not re-verified. */
  async replay(
    tenantId: string,
    id: string,
  ): Promise<{ deadLetter: DeadLetter; results: ReadonlyArray<ElementResult> }> {
    const { store } = this.#deps;
    const deadLetter = await store.getDeadLetter(tenantId, id);
    if (deadLetter === null)
      throw new SluiceError('dead_letter_not_found', `Dead letter "${id}" does not exist.`);
    if (deadLetter.status === 'replayed')
      throw new SluiceError('conflict', `Dead letter "${id}" was already replayed.`);
    const connection =
      deadLetter.connection_id === null
        ? null
        : await store.getConnection(tenantId, deadLetter.connection_id);
    if (connection === null) {
      throw new SluiceError(
        'connection_not_found',
        `The connection of dead letter "${id}" no longer exists.`,
      );
    }
    const delivery: Delivery = {
      rawBody: Buffer.from(deadLetter.event_payload.body_base64, 'base64'),
      headers: deadLetter.event_payload.headers,
    };
    const connector = this.#connector(connection.connector_id);
    try {
      const results = await this.#ingest(
        connector,
        connection,
        emissionsOf(connector, connection, delivery, this.#configOf(connection)),
        delivery,
        null,
      );
      const updated = await store.recordDeadLetterReplay(tenantId, id, 'replayed');
      return { deadLetter: updated ?? deadLetter, results };
    } catch (error) {
      if (!(error instanceof MappingFault)) throw error;
      await store.recordDeadLetterReplay(tenantId, id, 'pending', error.message);
      throw new SluiceError('mapping_failed', `Replay failed again: ${error.message}`, {
        details: error.context,
      });
    }
  }

  #configOf(connection: Connection): Readonly<Record<string, unknown>> {
    return this.#deps.configOf?.(connection) ?? connection.config;
  }

  #connector(connectorId: string): Connector {
    const connector = this.#deps.connectors.get(connectorId);
    if (connector === null || this.#deps.internalConnectors.has(connector.id)) {
      throw new SluiceError('connector_not_found', `Connector "${connectorId}" is not registered.`);
    }
    return connector;
  }

  async #receive(
    connector: Connector,
    candidates: ReadonlyArray<Connection>,
    delivery: Delivery,
  ): Promise<ReceiveOutcome> {
    if (connector.webhook === null) {
      throw new SluiceError('connector_not_found', `Connector "${connector.id}" receives no webhooks.`);
    }
    checkMediaType(connector, delivery);
    const { connection, verified } = await this.#verify(connector, candidates, delivery);
    this.#deps.quota.admit(connection);
    try {
      const results = await this.#ingest(
        connector,
        connection,
        emissionsOf(connector, connection, delivery, this.#configOf(connection)),
        delivery,
        verified,
      );
      return { kind: 'ingested', connection, results };
    } catch (error) {
      if (!(error instanceof MappingFault)) throw error;
      const deadLetter = await this.#deps.store.createDeadLetter(
        deadLetterRecord(connector, connection, delivery, error),
      );
      await this.#deps.onDeadLetter?.(deadLetter, connector, connection);
      return { kind: 'dead_lettered', connection, deadLetter };
    }
  }

  /** The first candidate connection whose secrets verify the delivery; else the first failure. */
  async #verify(
    connector: Connector,
    candidates: ReadonlyArray<Connection>,
    delivery: Delivery,
  ): Promise<{ connection: Connection; verified: VerifySuccess }> {
    const verify = connector.webhook?.verify;
    if (verify === undefined)
      throw new SluiceError('signature_invalid', 'The connector names no verification scheme.');
    const now = this.#deps.now();
    let firstFailure: VerifyFailure | null = null;
    for (const connection of candidates) {
      const known = await this.#secrets.get(connection.id, () => this.#deps.secretsOf(connection, now));
      const secrets = known.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
      const result = verifyWebhook(verify, {
        rawBody: delivery.rawBody,
        headers: delivery.headers,
        secrets,
        nowMs: now.getTime(),
      });
      if (result.ok) return { connection, verified: result };
      firstFailure ??= result;
    }
    const failure = firstFailure ?? {
      code: 'signature_invalid' as const,
      message: 'No secret to verify with.',
    };
    throw new SluiceError(failure.code, failure.message);
  }

  async #ingest(
    connector: Connector,
    connection: Connection,
    emissions: ReadonlyArray<Emission>,
    delivery: Delivery,
    verified: VerifySuccess | null,
  ): Promise<ReadonlyArray<ElementResult>> {
    if (emissions.length === 0) return [];
    const traceId = traceIdFromTraceparent(delivery.headers['traceparent']);
    const replayKey = verified?.replayKey ?? null;
    // A replay key outlives the tolerance on both sides of now, so a signature cannot come back while fresh.
    const replayUntil = new Date(this.#deps.now().getTime() + 2 * toleranceOf(connector) * 1000);
    try {
      const result = await this.#deps.ingestor.ingest(connection, emissions, {
        ...(traceId === null ? {} : { trace_id: traceId }),
        ...(replayKey === null ? {} : { replay: { key: replayKey, expiresAt: replayUntil } }),
      });
      if (result.status === 'replayed') {
        throw new SluiceError(
          'webhook_replayed',
          'This signed delivery was already received; a retry must be signed anew.',
        );
      }
      return result.results;
    } catch (error) {
      if (error instanceof SluiceError && MAPPING_FAULT_CODES.has(error.code)) {
        throw new MappingFault(error.message, { stage: 'ingest', code: error.code, details: error.details });
      }
      throw error;
    }
  }
}

function toleranceOf(connector: Connector): number {
  const verify = connector.webhook?.verify;
  return verify !== undefined && 'toleranceSeconds' in verify && verify.toleranceSeconds !== undefined
    ? verify.toleranceSeconds
    : DEFAULT_TOLERANCE_SECONDS;
}
