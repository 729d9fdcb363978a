import { Buffer } from 'node:buffer';
import type { ClaimedJob, NewDeadLetter } from '@sluice/core';

/** Why a job failed for good, and where. */
export interface JobFailure {
  /** `permanent`, `refused`, `attempts_exhausted` or `gone`. */
  readonly failure: string;
  readonly error: string;
  readonly status_code: number | null;
  readonly attempts: number;
  /** The stack of a runner that threw, when one did. */
  readonly stack?: string;
}

/**
 * The dead letter of a job (`kind: 'job'`): its event as the payload, the last error, and the context a
 * reader needs to fix it (step, action type, connector, failure class, attempts, stack). Replay queues
 * the job again under its idempotency key.
 */
export function jobDeadLetter(claimed: ClaimedJob, failure: JobFailure): NewDeadLetter {
  const { job, envelope, trigger } = claimed;
  const action = trigger?.action;
  return {
    tenant_id: job.tenant_id,
    kind: 'job',
    job_id: job.id,
    connector: envelope.source,
    connection_id: envelope.connection_id,
    event_payload: {
      body_base64: Buffer.from(JSON.stringify(envelope)).toString('base64'),
      headers: {},
      content_type: 'application/json',
    },
    error_message: failure.error,
    error_context: {
      step: 'action',
      job_id: job.id,
      trigger_id: job.trigger_id,
      event_id: job.event_id,
      action_type: action?.type ?? null,
      connector: action?.type === 'connector' ? action.connection_id : null,
      ...(action?.type === 'http' ? { url: action.url } : {}),
      failure: failure.failure,
      status_code: failure.status_code,
      attempts: failure.attempts,
      idempotency_key: claimed.idempotency_key,
      ...(failure.stack === undefined ? {} : { stack: failure.stack }),
    },
  };
}
