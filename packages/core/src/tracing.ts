import {
  type Context,
  context,
  INVALID_TRACEID,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/**
 * The stages' tracer. Until the server registers an SDK (`OTEL_EXPORTER_OTLP_ENDPOINT`), the API's no-op
 * stands behind it: spans are not recorded and nothing is propagated.
 */
export const tracer: Tracer = trace.getTracer('sluice');

/**
 * The W3C `traceparent` of a span, to carry its context to the next stage through the store or the bus;
 * null when the span has no valid context (tracing is off). Written through the registered propagator.
 */
export function traceparentOfSpan(span: Span): string | null {
  const spanContext = span.spanContext();
  // The no-op span's context is the invalid one: a string comparison says so before any check runs.
  if (spanContext.traceId === INVALID_TRACEID || !isSpanContextValid(spanContext)) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier['traceparent'] ?? null;
}

/**
 * The context a stage's span continues: the remote span a carried `traceparent` names, or the root when
 * there is none (or tracing is off, when the API's no-op propagator reads nothing).
 */
export function contextOfTraceparent(traceparent: string | null | undefined): Context {
  if (traceparent === null || traceparent === undefined || traceparent === '') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The trace id of the span active here, or null when there is none (tracing off, or no span). */
export function activeTraceId(): string | null {
  const span = trace.getSpan(context.active());
  if (span === undefined) return null;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? spanContext.traceId : null;
}
