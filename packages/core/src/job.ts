import type { Priority } from './trigger.ts';

/**
 * A job's life: `queued` until the executor claims it, `running` while an attempt is in flight,
 * `retrying` while it waits for its next attempt, and one of the final states.
 */
export const JOB_STATUSES = [
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'dead_lettered',
  'skipped',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/** One run of a job's action. */
export interface JobAttempt {
  readonly started_at: string;
  /** The target's HTTP status, when it answered. */
  readonly status_code: number | null;
  readonly latency_ms: number | null;
  readonly error: string | null;
}

/** The work one matching trigger makes of one event: exactly one per `(event_id, trigger_id)`. */
export interface Job {
  /** `job_…` */
  readonly id: string;
  readonly tenant_id: string;
  readonly trigger_id: string;
  readonly event_id: string;
  readonly connection_id: string;
  readonly priority: Priority;
  /** `kind:id` of the envelope's entity; null when it names none (such jobs run without single-flight). */
  readonly entity_key: string | null;
  /** The commit position of the event: jobs of one entity run in this order. */
  readonly position: string;
  readonly status: JobStatus;
  /** The key its side effect is made under (`webhook-id`); absent on jobs made before the executor. */
  readonly idempotency_key?: string;
  readonly created_at: string;
  readonly attempts: ReadonlyArray<JobAttempt>;
}
