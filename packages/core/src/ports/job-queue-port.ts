import type { Envelope } from '../envelope.ts';
import type { Job, JobAttempt } from '../job.ts';
import type { Trigger } from '../trigger.ts';
import type { NewDeadLetter } from './dead-letter-port.ts';
import type { AppendInput } from './event-log-port.ts';

export interface JobClaimRequest {
  /** The executor process claiming (its lease owner id). */
  readonly owner: string;
  /** Most jobs in one claim. */
  readonly limit: number;
  /** How long the claim holds without a heartbeat; after it lapses the job is claimed again. */
  readonly leaseMs: number;
  /** Most running jobs one tenant may have at a time across all executors; absent: no cap. */
  readonly tenantConcurrency?: number;
}

/** A job leased to one executor, with what it needs to run: its event and its trigger as they are now. */
export interface ClaimedJob {
  readonly job: Job;
  /** The attempt about to run, from 1. */
  readonly attempt: number;
  readonly envelope: Envelope;
  /** Null when the trigger was deleted after the job was made: the executor skips the job. */
  readonly trigger: Trigger | null;
  /** The key its side effect is made under: `webhook-id` of a delivery, the same on every retry and replay. */
  readonly idempotency_key: string;
  readonly lease_until: string;
  /** The route span's W3C `traceparent` the job was made under; null when tracing was off. */
  readonly traceparent: string | null;
  /**
   * The result already remembered under `idempotency_key` when the job was claimed (null: none), read by
   * the claim so the executor need not `recall` it; absent when the queue did not read it.
   */
  readonly remembered?: RememberedResult | null;
}

/** How one attempt ended, as the executor reports it. */
export type JobOutcome =
  | {
      readonly kind: 'succeeded';
      readonly attempt: JobAttempt;
      /** What the action returned, remembered under the idempotency key until `result_ttl_ms` passes. */
      readonly result: unknown;
      readonly result_ttl_ms: number;
    }
  /** Runs again at `run_after`; the entity stays blocked meanwhile, so its order holds. */
  | { readonly kind: 'retry'; readonly attempt: JobAttempt; readonly run_after: string }
  /** Failed for good: the dead letter commits with the job's final state and releases its entity. */
  | { readonly kind: 'dead_lettered'; readonly attempt: JobAttempt; readonly dead_letter: NewDeadLetter }
  /** Not run (trigger gone or disabled, `single_flight: skip`, superseded under `latest`). */
  | { readonly kind: 'skipped'; readonly reason: string };

/** One attempt's end, as `finishMany` takes it. */
export interface JobFinish {
  readonly job_id: string;
  readonly outcome: JobOutcome;
  /** Its platform events, committed with it. */
  readonly facts?: ReadonlyArray<AppendInput>;
}

/** A side effect already made under an idempotency key, and what it returned. */
export interface RememberedResult {
  readonly job_id: string;
  readonly result: unknown;
  readonly expires_at: string;
}

/** Queued work by tenant and priority (metrics, depth alerts). */
export interface QueueDepth {
  readonly tenant_id: string;
  readonly priority: Job['priority'];
  readonly queued: number;
  readonly running: number;
}

/**
 * The executor's side of the jobs. The database enforces single-flight: at most one running (or
 * retry-waiting) job per `(tenant_id, entity_key)`, and only the earliest unfinished job of an entity (in
 * creation order, which the router keeps to each connection's event sequence) is ever claimed, so an
 * entity's jobs run one at a time in event order. Claims take
 * higher priorities first (with aging, so low priorities never starve), round-robin across tenants, with
 * `FOR UPDATE SKIP LOCKED`, so any number of executors share the queue.
 */
export interface JobQueue {
  /** Leases up to `limit` runnable jobs to `owner`. */
  claim(request: JobClaimRequest): Promise<ReadonlyArray<ClaimedJob>>;
  /** Extends the leases `owner` still holds among `jobIds`; returns the ids it still holds. */
  heartbeat(owner: string, jobIds: ReadonlyArray<string>, leaseMs: number): Promise<ReadonlyArray<string>>;
  /**
   * Records an attempt's end, with `facts` (its platform events) in the same transaction. False, and
   * nothing written, when `owner` no longer holds the job (its lease lapsed and another executor has it).
   */
  finish(
    owner: string,
    jobId: string,
    outcome: JobOutcome,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<boolean>;
  /**
   * Several `finish`es in one transaction, one commit for the lot (the attempts of one executor that ended
   * together): one flag per finish, in order, true when `owner` held its job. All commit or none: a fact
   * that cannot be written rolls every one back.
   */
  finishMany(owner: string, finishes: ReadonlyArray<JobFinish>): Promise<ReadonlyArray<boolean>>;
  /** Puts running jobs whose lease lapsed (a killed executor) back in the queue; returns how many. */
  reclaimExpired(): Promise<number>;
  /** The result of a side effect already made under `key` and not yet expired, or null. */
  recall(tenantId: string, key: string): Promise<RememberedResult | null>;
  /** Queues a dead-lettered or failed job again (replay), keeping its idempotency key; null when not found. */
  requeue(tenantId: string, jobId: string, facts?: ReadonlyArray<AppendInput>): Promise<Job | null>;
  depth(): Promise<ReadonlyArray<QueueDepth>>;
}
