import {
  type Connection,
  type Connector,
  cloudEventToEmission,
  DEFAULT_TOLERANCE_SECONDS,
  type DeadLetter,
  decodeHttp,
  type Emission,
  isJsonContentType,
  mediaTypeOf,
  SluiceError,
  type Store,
  traceIdFromTraceparent,
} from '@sluice/core';
import type { ElementResult, Ingestor } from '@sluice/ingest';
import { type ConnectorRegistry, runMapping } from '@sluice/map';
import { type VerifyFailure, type VerifySuccess, verifyWebhook } from '@sluice/receive';
import type { ConnectionQuota } from './connection-quota.ts';
import type { Metrics } from './metrics.ts';
import type { PlatformEvents } from './platform-events.ts';
import type { SecretBox } from './secret-box.ts';

/** One inbound HTTP delivery: the raw bytes and the headers (names lowercased). */
export interface Delivery {
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export type ReceiveOutcome =
  | {
      readonly kind: 'ingested';
      readonly connection: Connection;
      readonly results: ReadonlyArray<ElementResult>;
    }
  | { readonly kind: 'dead_lettered'; readonly connection: Connection; readonly deadLetter: DeadLetter };

/** Codes ingest raises for emissions a mapping got wrong: the delivery is kept, not refused. */
const MAPPING_FAULTS = new Set([
  'emission_invalid',
  'event_type_undeclared',
  'emission_too_large',
  'batch_too_large',
  'batch_empty',
]);

/** Headers kept with a dead letter: what re-verifying and re-mapping need, never credentials. */
const DROPPED_HEADERS = new Set([
  'authorization',
  'cookie',
  'proxy-authorization',
  'connection',
  'content-length',
  'host',
]);

const CLOUDEVENT_MEDIA = new Set(['application/cloudevents+json', 'application/cloudevents-batch+json']);

export interface WebhookReceiverDeps {
  readonly store: Store;
  readonly connectors: ConnectorRegistry;
  readonly ingestor: Ingestor;
  readonly secretBox: SecretBox;
  readonly quota: ConnectionQuota;
  readonly platform: PlatformEvents;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

/**
 * receive → verify → map → ingest for one delivery. A forged, stale or replayed delivery is refused with
 * nothing stored; a correctly signed one the mapping cannot handle is acknowledged and kept as a dead letter.
 */
export class WebhookReceiver {
  readonly #deps: WebhookReceiverDeps;

  constructor(deps: WebhookReceiverDeps) {
    this.#deps = deps;
  }

  /** The per-connection ingest URL: the connection id names connector and tenant. */
  async receiveForConnection(connectionId: string, delivery: Delivery): Promise<ReceiveOutcome> {
    const connection = await this.#deps.store.findConnectionForIngest(connectionId);
    if (connection === null || connection.connector_id === this.#deps.platform.connectorId) {
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
    const connections = await this.#deps.store.listConnections(tenantId, {
      connector_id: connectorId,
      status: 'active',
    });
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
    if (deadLetter.status === 'replayed') {
      throw new SluiceError('conflict', `Dead letter "${id}" was already replayed.`);
    }
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
      const emissions = this.#emissionsOf(connector, connection, delivery);
      const results = await this.#ingest(connection, emissions, delivery, null, connector);
      const updated = await store.recordDeadLetterReplay(tenantId, id, 'replayed');
      return { deadLetter: updated ?? deadLetter, results };
    } catch (error) {
      if (error instanceof MappingFault) {
        await store.recordDeadLetterReplay(tenantId, id, 'pending', error.message);
        throw new SluiceError('mapping_failed', `Replay failed again: ${error.message}`, {
          details: error.context,
        });
      }
      throw error;
    }
  }

  #connector(connectorId: string): Connector {
    const connector = this.#deps.connectors.get(connectorId);
    if (connector === null || connector.id === this.#deps.platform.connectorId) {
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
    this.#checkMediaType(connector, delivery);
    const { connection, verified } = await this.#verify(connector, candidates, delivery);
    const wait = this.#deps.quota.take(connection.id);
    if (wait > 0) {
      throw new SluiceError('quota_exceeded', `Connection "${connection.id}" is over its request rate.`, {
        retryAfter: wait,
      });
    }
    try {
      const emissions = this.#emissionsOf(connector, connection, delivery);
      const results = await this.#ingest(connection, emissions, delivery, verified, connector);
      return { kind: 'ingested', connection, results };
    } catch (error) {
      if (!(error instanceof MappingFault)) throw error;
      const deadLetter = await this.#deadLetter(connector, connection, delivery, error);
      return { kind: 'dead_lettered', connection, deadLetter };
    }
  }

  #checkMediaType(connector: Connector, delivery: Delivery): void {
    const contentType = delivery.headers['content-type'];
    const media = contentType === undefined ? '' : mediaTypeOf(contentType);
    const cloudEvents = connector.webhook?.cloudevents === true;
    if (CLOUDEVENT_MEDIA.has(media) && !cloudEvents) {
      throw new SluiceError(
        'unsupported_media_type',
        `Connector "${connector.id}" does not accept CloudEvents (${media}).`,
      );
    }
    if (!isJsonContentType(media)) {
      throw new SluiceError(
        'unsupported_media_type',
        `Content-Type ${JSON.stringify(contentType ?? null)} is not accepted; send application/json.`,
      );
    }
  }

  async #verify(
    connector: Connector,
    candidates: ReadonlyArray<Connection>,
    delivery: Delivery,
  ): Promise<{ connection: Connection; verified: VerifySuccess }> {
    const verify = connector.webhook?.verify;
    if (verify === undefined)
      throw new SluiceError('signature_invalid', 'The connector names no verification scheme.');
    const nowMs = this.#deps.now().getTime();
    let firstFailure: VerifyFailure | null = null;
    for (const connection of candidates) {
      const sealed = await this.#deps.store.liveSecrets(connection.tenant_id, connection.id, new Date(nowMs));
      const secrets = sealed.map((secret) => this.#deps.secretBox.open(secret.ciphertext, connection.id));
      const result = verifyWebhook(verify, {
        rawBody: delivery.rawBody,
        headers: delivery.headers,
        secrets,
        nowMs,
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

  /** Parses and maps the delivery; a mapping that cannot handle it raises a `MappingFault`. */
  #emissionsOf(connector: Connector, connection: Connection, delivery: Delivery): ReadonlyArray<Emission> {
    const media = mediaTypeOf(delivery.headers['content-type'] ?? '');
    if (
      connector.webhook?.cloudevents === true &&
      (CLOUDEVENT_MEDIA.has(media) || 'ce-specversion' in delivery.headers)
    ) {
      const decoded = decodeHttp(delivery.headers, delivery.rawBody);
      if (!decoded.ok) throw decoded.error;
      try {
        return decoded.value.events.map((event) => cloudEventToEmission(event, { source: connector.id }));
      } catch (error) {
        if (error instanceof SluiceError)
          throw new MappingFault(error.message, { stage: 'cloudevents', code: error.code });
        throw error;
      }
    }
    let body: unknown;
    try {
      body = parseJsonExact(delivery.rawBody.toString('utf8'));
    } catch (error) {
      throw new SluiceError('invalid_json', `The body is not valid JSON: ${(error as Error).message}.`);
    }
    const mapped = runMapping(connector, {
      body,
      rawBody: delivery.rawBody,
      headers: delivery.headers,
      config: connection.config,
      connectionId: connection.id,
      tenantId: connection.tenant_id,
    });
    if (!mapped.ok) {
      throw new MappingFault(mapped.error.message, {
        stage: 'map',
        ...(mapped.error.rule === undefined ? {} : { rule: mapped.error.rule }),
      });
    }
    return mapped.emissions;
  }

  async #ingest(
    connection: Connection,
    emissions: ReadonlyArray<Emission>,
    delivery: Delivery,
    verified: VerifySuccess | null,
    connector: Connector,
  ): Promise<ReadonlyArray<ElementResult>> {
    if (emissions.length === 0) return [];
    const traceId = traceIdFromTraceparent(delivery.headers['traceparent']);
    const tolerance = toleranceOf(connector);
    const replayKey = verified?.replayKey ?? null;
    try {
      const result = await this.#deps.ingestor.ingest(connection, emissions, {
        ...(traceId === null ? {} : { trace_id: traceId }),
        ...(replayKey === null
          ? {}
          : {
              replay: {
                key: replayKey,
                expiresAt: new Date(this.#deps.now().getTime() + 2 * tolerance * 1000),
              },
            }),
      });
      if (result.status === 'replayed') {
        throw new SluiceError(
          'webhook_replayed',
          'This signed delivery was already received; a retry must be signed anew.',
        );
      }
      return result.results;
    } catch (error) {
      if (error instanceof SluiceError && MAPPING_FAULTS.has(error.code)) {
        throw new MappingFault(error.message, { stage: 'ingest', code: error.code, details: error.details });
      }
      throw error;
    }
  }

  async #deadLetter(
    connector: Connector,
    connection: Connection,
    delivery: Delivery,
    fault: MappingFault,
  ): Promise<DeadLetter> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(delivery.headers)) {
      if (!DROPPED_HEADERS.has(name)) headers[name] = value;
    }
    this.#deps.metrics.deadLetters.inc({ connector: connector.id });
    const deadLetter = await this.#deps.store.createDeadLetter({
      tenant_id: connection.tenant_id,
      connector: connector.id,
      connection_id: connection.id,
      event_payload: {
        body_base64: delivery.rawBody.toString('base64'),
        headers,
        content_type: delivery.headers['content-type'] ?? null,
      },
      error_message: fault.message,
      error_context: { ...fault.context, connection_id: connection.id, connector_version: connector.version },
    });
    await this.#deps.platform.emit(connection.tenant_id, {
      event_type: 'webhook.dead_lettered',
      dedupe_key: `dead_letter:${deadLetter.id}`,
      payload: {
        entity: { kind: 'dead_letter', id: deadLetter.id },
        connection_id: connection.id,
        connector: connector.id,
        error_message: fault.message,
      },
    });
    return deadLetter;
  }
}

/** A delivery that verified but could not become valid emissions. */
class MappingFault extends Error {
  readonly context: Record<string, unknown>;
  constructor(message: string, context: Record<string, unknown>) {
    super(message);
    this.context = context;
  }
}

/**
 * JSON.parse, except that an integer beyond 2^53 keeps its exact digits as a string: providers' ids
 * (Shopify orders, Twitter snowflakes) exceed what a double holds, and a rounded id would merge two
 * orders under one dedupe key.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}

function toleranceOf(connector: Connector): number {
  const verify = connector.webhook?.verify;
  return verify !== undefined && 'toleranceSeconds' in verify && verify.toleranceSeconds !== undefined
    ? verify.toleranceSeconds
    : DEFAULT_TOLERANCE_SECONDS;
}
