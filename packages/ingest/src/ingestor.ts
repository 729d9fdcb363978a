import {
  type Connection,
  type Connector,
  type EnvelopeMode,
  entityOf,
  newEventId,
  newTraceId,
  type PreparedEnvelope,
  SCHEMA_VERSION,
  SluiceError,
  type Store,
} from '@sluice/core';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './ingest-limits.ts';
import { type ValidatedEmission, validateEmission } from './validate-emission.ts';

export interface IngestOptions {
  readonly mode?: EnvelopeMode;
  /** From an inbound `traceparent`; a new trace id otherwise. */
  readonly trace_id?: string;
  /** Replay protection for signed webhooks: a key usable once until `expiresAt`. */
  readonly replay?: { readonly key: string; readonly expiresAt: Date };
}

export type ElementResult =
  | { readonly index: number; readonly status: 'accepted'; readonly event_id: string }
  | { readonly index: number; readonly status: 'duplicate'; readonly event_id: string };

export type IngestResult =
  | { readonly status: 'committed'; readonly results: ReadonlyArray<ElementResult> }
  | { readonly status: 'replayed' };

export interface IngestorDeps {
  readonly store: Store;
  /** Looks up the connector a connection was made from. */
  readonly connectors: { get(id: string): Connector | null | undefined };
  readonly limits?: Partial<IngestLimits>;
  readonly now?: () => Date;
  /** Called once per accepted-for-validation emission without `payload.entity`. */
  readonly onMissingEntity?: (info: { connection_id: string; event_type: string; index: number }) => void;
  /** Called after each commit with the per-element outcomes (metrics). */
  readonly onCommitted?: (results: ReadonlyArray<ElementResult>) => void;
}

export interface Ingestor {
  /**
   * Validates every emission, stamps the platform fields and commits envelopes, dedupe keys and outbox rows
   * in one transaction. All or nothing: an invalid element throws `emission_invalid` (or
   * `event_type_undeclared`, `emission_too_large`) naming its index and rule, and nothing is stored.
   */
  ingest(
    connection: Connection,
    emissions: ReadonlyArray<unknown>,
    options?: IngestOptions,
  ): Promise<IngestResult>;
  readonly limits: IngestLimits;
  /** Emissions accepted without `payload.entity` since start. */
  readonly missingEntityCount: number;
}

export function createIngestor(deps: IngestorDeps): Ingestor {
  const limits: IngestLimits = { ...DEFAULT_INGEST_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  let missingEntityCount = 0;

  function validateBatch(connector: Connector, emissions: ReadonlyArray<unknown>): ValidatedEmission[] {
    if (emissions.length === 0) throw new SluiceError('batch_empty', 'The batch holds no emissions.');
    if (emissions.length > limits.maxBatch) {
      throw new SluiceError(
        'batch_too_large',
        `The batch holds ${emissions.length} emissions; the limit is ${limits.maxBatch}.`,
        { details: { size: emissions.length, limit: limits.maxBatch } },
      );
    }
    return emissions.map((raw, index) => {
      const check = validateEmission(raw, index, connector, limits);
      if (!check.ok) {
        const { code, message, ...details } = check.violation;
        throw new SluiceError(code, message, { details });
      }
      return check.emission;
    });
  }

  return {
    limits,
    get missingEntityCount() {
      return missingEntityCount;
    },
    async ingest(connection, emissions, options = {}) {
      const connector = deps.connectors.get(connection.connector_id);
      if (connector === undefined || connector === null) {
        throw new SluiceError(
          'connector_not_found',
          `Connection "${connection.id}" uses connector "${connection.connector_id}", which is not registered.`,
        );
      }
      if (connection.status !== 'active') {
        throw new SluiceError('connection_retired', `Connection "${connection.id}" is retired.`);
      }
      const valid = validateBatch(connector, emissions);
      const receivedAt = now().toISOString();
      const traceId = options.trace_id ?? newTraceId();
      const prepared = valid.map((emission, index): PreparedEnvelope => {
        if (entityOf(emission.payload) === null) {
          missingEntityCount++;
          deps.onMissingEntity?.({ connection_id: connection.id, event_type: emission.event_type, index });
        }
        return {
          reseller_id: connection.reseller_id,
          tenant_id: connection.tenant_id,
          workspace_id: connection.workspace_id,
          connection_id: connection.id,
          source: emission.source,
          event_type: emission.event_type,
          stream: emission.stream,
          dedupe_key: emission.dedupe_key,
          correlation_id: emission.correlation_id ?? newEventId(),
          causation_id: emission.causation_id ?? null,
          trace_id: traceId,
          occurred_at: emission.occurred_at,
          received_at: receivedAt,
          mode: options.mode ?? 'live',
          schema_version: SCHEMA_VERSION,
          payload: emission.payload,
          agent_id: emission.agent_id ?? null,
          session_id: emission.session_id ?? null,
        };
      });
      const result = await deps.store.append({
        connection,
        envelopes: prepared,
        dedupeWindowMs: limits.dedupeWindowMs,
        ...(options.replay === undefined ? {} : { replay: options.replay }),
      });
      if (result.status === 'replayed') return result;
      const results = result.outcomes.map(
        (outcome, index): ElementResult =>
          outcome.status === 'accepted'
            ? { index, status: 'accepted', event_id: outcome.event_id }
            : { index, status: 'duplicate', event_id: outcome.event_id },
      );
      deps.onCommitted?.(results);
      return { status: 'committed', results };
    },
  };
}
