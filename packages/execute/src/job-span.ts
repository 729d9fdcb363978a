import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { type ClaimedJob, contextOfTraceparent, randomHex, tracer } from '@sluice/core';

/**
 * The `execute` span of one attempt: a child of the route span the job was made under. A job made while
 * tracing was off (or before it was kept) still joins its envelope's trace, under a parent of its own.
 */
export function startJobSpan(claimed: ClaimedJob): Span {
  const parent = claimed.traceparent ?? `00-${claimed.envelope.trace_id}-${randomHex(8)}-01`;
  return tracer.startSpan(
    'execute',
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'sluice.job_id': claimed.job.id,
        'sluice.event_id': claimed.job.event_id,
        'sluice.tenant_id': claimed.job.tenant_id,
        'sluice.trigger_id': claimed.job.trigger_id,
        'sluice.attempt': claimed.attempt,
        'sluice.action': claimed.trigger?.action.type ?? 'none',
      },
    },
    contextOfTraceparent(parent),
  );
}

/** Ends a job's span with the attempt's outcome (`succeeded`, `retry`, `dead_lettered`, …). */
export function endJobSpan(span: Span, outcome: string): void {
  span.setAttribute('sluice.outcome', outcome);
  if (outcome === 'dead_lettered' || outcome === 'disabled') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
  }
  span.end();
}
