import type { Job, JobStatus } from '../job.ts';
import type { Priority } from '../trigger.ts';
import type { Page, PageRequest, Position } from './event-log-port.ts';

/** A job as the router creates it: what matched, for which event, where the event sits in commit order. */
export interface NewJob {
  readonly tenant_id: string;
  readonly trigger_id: string;
  readonly event_id: string;
  readonly connection_id: string;
  readonly priority: Priority;
  readonly entity_key: string | null;
  readonly position: Position;
  /** Rendered from the trigger's template by the router; absent: `{trigger_id}:{event_id}`. */
  readonly idempotency_key?: string;
  /** The W3C `traceparent` of the route span, so the executor's span continues the trace. */
  readonly traceparent?: string;
}

export interface JobFilter {
  readonly trigger_id?: string;
  readonly event_id?: string;
  readonly status?: JobStatus;
}

/**
 * Jobs: the router's writes and the API's reads. Exactly one job per `(event_id, trigger_id)`, held by a
 * unique constraint, so a redelivered event creates nothing twice. The executor's claim, leases and
 * attempts extend this port.
 */
export interface JobStore {
  /**
   * Creates the jobs in the order given, in one transaction, skipping every `(event_id, trigger_id)`
   * that already has a job. Returns how many it created.
   */
  createMany(jobs: ReadonlyArray<NewJob>): Promise<number>;
  get(tenantId: string, id: string): Promise<Job | null>;
  /** In creation order (`asc`) or newest first (`desc`). */
  list(tenantId: string, filter: JobFilter, page: PageRequest): Promise<Page<Job>>;
}
