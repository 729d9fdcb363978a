import { SpanStatusCode } from '@opentelemetry/api';
import {
  type AppendInput,
  activeTraceId,
  type Connection,
  type Connector,
  type EnvelopeMode,
  type EventLog,
  entityOf,
  newEventId,
  newTraceId,
  type Origin,
  type PreparedEnvelope,
  SCHEMA_VERSION,
  SluiceError,
  type StreamCursorWrite,
  traceparentOfSpan,
  tracer,
} from '@sluice/core';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './ingest-limits.ts';
import { type ValidatedEmission, validateEmission } from './validate-emission.ts';

export interface IngestOptions {
  readonly mode?: EnvelopeMode;
  /** From an inbound `traceparent`; a new trace id otherwise. */
  readonly trace_id?: string;
  /** Replay protection for signed webhooks: a key usable once until `expiresAt`. */
  readonly replay?: { readonly key: string; readonly expiresAt: Date };
  /** A poll stream's cursor, committed with these envelopes. */
  readonly cursor?: StreamCursorWrite;
  /** Where the emissions came from (the default priority of their jobs); `webhook` when absent. */
  readonly origin?: Origin;
  /** The span the outbox rows carry to the relay (`ingest` sets its own). */
  readonly traceparent?: string;
}

export type ElementResult =
  | { readonly index: number; readonly status: 'accepted'; readonly event_id: string }
  | { readonly index: number; readonly status: 'duplicate'; readonly event_id: string };

/** The rules a batch of emissions can break; each is also an error code (422, or 413 for size). */
export type RejectionCode =
  | 'batch_empty'
  | 'batch_too_large'
  | 'emission_invalid'
  | 'event_type_undeclared'
  | 'emission_too_large';

/** Why a batch was not stored: the rule, and the element and field at fault when there is one. */
export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  readonly index?: number;
  readonly field?: string;
  readonly rule?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type IngestResult =
  | {
      readonly status: 'committed';
      readonly results: ReadonlyArray<ElementResult>;
      /** The trace the envelopes were stamped with (logs carry it). */
      readonly trace_id: string;
    }
  /** The signed delivery's replay key was used already; nothing written. */
  | { readonly status: 'replayed' }
  /** The emissions break a rule; nothing written. */
  | { readonly status: 'rejected'; readonly rejection: Rejection };

export type Prepared =
  | { readonly ok: true; readonly input: AppendInput }
  | { readonly ok: false; readonly rejection: Rejection };

export interface IngestorDeps {
  readonly events: Pick<EventLog, 'append'>;
  /** Looks up the connector a connection was made from. */
  readonly connectors: { get(id: string): Connector | null | undefined };
  readonly limits?: Partial<IngestLimits>;
  readonly now?: () => Date;
  /** Called once per accepted-for-validation emission without `payload.entity`. */
  readonly onMissingEntity?: (info: { connection_id: string; event_type: string; index: number }) => void;
  /** Called after each commit with the per-element outcomes (metrics). */
  readonly onCommitted?: (results: ReadonlyArray<ElementResult>, connection: Connection) => void;
}

export interface Ingestor {
  /**
   * Validates every emission, stamps the platform fields and commits envelopes, dedupe keys and outbox rows
   * in one transaction. All or nothing: a batch that breaks a rule is `rejected`, naming the element and
   * the rule, and nothing is stored. Throws only for the unexpected: an unknown connector, a retired
   * connection, an unreachable store.
   */
  ingest(
    connection: Connection,
    emissions: ReadonlyArray<unknown>,
    options?: IngestOptions,
  ): Promise<IngestResult>;
  /**
   * Validates and stamps without writing: the append a caller commits inside its own transaction (the
   * platform events that report a state change).
   */
  prepare(connection: Connection, emissions: ReadonlyArray<unknown>, options?: IngestOptions): Prepared;
  readonly limits: IngestLimits;
  /** Emissions accepted without `payload.entity` since start. */
  readonly missingEntityCount: number;
}

export function createIngestor(deps: IngestorDeps): Ingestor {
  const limits: IngestLimits = { ...DEFAULT_INGEST_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  let missingEntityCount = 0;

  function validateBatch(
    connector: Connector,
    emissions: ReadonlyArray<unknown>,
  ): { ok: true; valid: ValidatedEmission[] } | { ok: false; rejection: Rejection } {
    if (emissions.length === 0) {
      return { ok: false, rejection: { code: 'batch_empty', message: 'The batch holds no emissions.' } };
    }
    if (emissions.length > limits.maxBatch) {
      return {
        ok: false,
        rejection: {
          code: 'batch_too_large',
          message: `The batch holds ${emissions.length} emissions; the limit is ${limits.maxBatch}.`,
          details: { size: emissions.length, limit: limits.maxBatch },
        },
      };
    }
    const valid: ValidatedEmission[] = [];
    for (const [index, raw] of emissions.entries()) {
      const check = validateEmission(raw, index, connector, limits);
      if (!check.ok) {
        const { code, message, field, rule } = check.violation;
        return {
          ok: false,
          rejection: {
            code: code as RejectionCode,
            message,
            index,
            field,
            rule,
            details: { index, field, rule },
          },
        };
      }
      valid.push(check.emission);
    }
    return { ok: true, valid };
  }

  function prepare(
    connection: Connection,
    emissions: ReadonlyArray<unknown>,
    options: IngestOptions = {},
  ): Prepared {
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
    const checked = validateBatch(connector, emissions);
    if (!checked.ok) return checked;
    const receivedAt = now().toISOString();
    // The inbound trace, else the trace of the span around this ingest (tracing on), else a new one.
    const traceId = options.trace_id ?? activeTraceId() ?? newTraceId();
    const envelopes = checked.valid.map((emission, index): PreparedEnvelope => {
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
        cloudevent: emission.cloudevent ?? null,
      };
    });
    return {
      ok: true,
      input: {
        connection,
        envelopes,
        dedupeWindowMs: limits.dedupeWindowMs,
        ...(options.replay === undefined ? {} : { replay: options.replay }),
        ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
        ...(options.origin === undefined ? {} : { origin: options.origin }),
        ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
      },
    };
  }

  return {
    limits,
    get missingEntityCount() {
      return missingEntityCount;
    },
    prepare,
    async ingest(connection, emissions, options = {}) {
      // With tracing off this is the API's no-op span, and the outbox rows carry no trace context.
      const span = tracer.startSpan('ingest');
      if (span.isRecording()) {
        span.setAttributes({
          'sluice.tenant_id': connection.tenant_id,
          'sluice.connection_id': connection.id,
          'sluice.emissions': emissions.length,
        });
      }
      try {
        const traceparent = traceparentOfSpan(span);
        const prepared = prepare(
          connection,
          emissions,
          traceparent === null ? options : { ...options, traceparent },
        );
        if (!prepared.ok) {
          span.setAttribute('sluice.outcome', 'rejected');
          return { status: 'rejected', rejection: prepared.rejection };
        }
        const result = await deps.events.append(prepared.input);
        if (span.isRecording()) span.setAttribute('sluice.outcome', result.status);
        if (result.status === 'replayed') return result;
        if (result.status === 'refused') {
          return { status: 'rejected', rejection: { code: 'emission_invalid', message: result.message } };
        }
        const results = result.outcomes.map(
          (outcome, index): ElementResult =>
            outcome.status === 'accepted'
              ? { index, status: 'accepted', event_id: outcome.event_id }
              : { index, status: 'duplicate', event_id: outcome.event_id },
        );
        deps.onCommitted?.(results, connection);
        return { status: 'committed', results, trace_id: prepared.input.envelopes[0]?.trace_id ?? '' };
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  };
}
