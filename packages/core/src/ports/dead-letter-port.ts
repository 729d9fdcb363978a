import type {
  DeadLetter,
  DeadLetterDepth,
  DeadLetterFilter,
  DeadLetterKind,
  DeadLetterStatus,
} from '../dead-letter.ts';
import type { Job } from '../job.ts';
import type { AppendInput, Page, PageRequest } from './event-log-port.ts';

export interface NewDeadLetter {
  /** Chosen by the caller when a platform event commits with it and must name it; generated otherwise. */
  readonly id?: string;
  readonly tenant_id: string;
  /** `ingest` when absent. */
  readonly kind?: DeadLetterKind;
  /** The failed job, for `kind: 'job'`. */
  readonly job_id?: string | null;
  readonly connector: string;
  readonly connection_id: string | null;
  readonly event_payload: DeadLetter['event_payload'];
  readonly error_message: string;
  readonly error_context: Readonly<Record<string, unknown>>;
}

/** Dead letters, every read and write scoped by tenant. */
export interface DeadLetterStore {
  /** Stores a dead letter; `facts` (its platform events) commit with it or not at all. */
  create(input: NewDeadLetter, facts?: ReadonlyArray<AppendInput>): Promise<DeadLetter>;
  get(tenantId: string, id: string): Promise<DeadLetter | null>;
  list(tenantId: string, filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetter>>;
  /** How many of the tenant's dead letters match `filter` (a bulk replay's dry run). */
  count(tenantId: string, filter: DeadLetterFilter): Promise<number>;
  /** Deletes a dead letter for good (purge); false when the tenant has no such dead letter. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Counts a replay attempt and sets the status it ended in. */
  recordReplay(
    tenantId: string,
    id: string,
    status: DeadLetterStatus,
    error?: string,
  ): Promise<DeadLetter | null>;
  /**
   * Replays a pending job dead letter: its job is queued again under its idempotency key, the dead letter
   * becomes `replayed` with `retry_count` up by one, and `facts` are appended, all in one transaction.
   */
  replayJob(tenantId: string, id: string, facts?: ReadonlyArray<AppendInput>): Promise<JobReplay>;
  /** Pending dead letters by tenant and kind, across tenants (metrics and depth alerts). */
  depth(): Promise<ReadonlyArray<DeadLetterDepth>>;
}

/** What replaying a job dead letter ended in. */
export type JobReplay =
  | { readonly kind: 'replayed'; readonly deadLetter: DeadLetter; readonly job: Job }
  | { readonly kind: 'not_found' }
  /** Not a pending job dead letter (already replayed, expired, or an ingest one). */
  | { readonly kind: 'not_pending'; readonly deadLetter: DeadLetter }
  /** Its job is gone, or is not in a failed state (already queued again). */
  | { readonly kind: 'job_not_replayable'; readonly deadLetter: DeadLetter };
