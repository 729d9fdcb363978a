export type DeadLetterStatus = 'pending' | 'replayed' | 'expired';

/**
 * What failed for good: an inbound delivery that could not become envelopes (`ingest`), or a job whose
 * action failed past its retries (`job`). One dead-letter model for both, told apart by this field.
 */
export const DEAD_LETTER_KINDS = ['ingest', 'job'] as const;

export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

/**
 * A delivery that was accepted (correctly signed) but could not become envelopes, kept whole so it can
 * be replayed once the cause is fixed (`kind: 'ingest'`), or a job that failed for good (`kind: 'job'`,
 * replayed by queueing the job again). Record shape of seed 002's DLQ.
 */
export interface DeadLetter {
  readonly id: string;
  readonly tenant_id: string;
  readonly kind: DeadLetterKind;
  /** The job that failed, for `kind: 'job'`; null for ingest dead letters. */
  readonly job_id: string | null;
  readonly connector: string;
  readonly connection_id: string | null;
  /** The original delivery: raw body (base64) and the headers needed to re-verify and re-map. */
  readonly event_payload: {
    readonly body_base64: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly content_type: string | null;
  };
  readonly error_message: string;
  readonly error_context: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly retry_count: number;
  readonly status: DeadLetterStatus;
}

/**
 * Which dead letters a list, a bulk replay or a replay policy takes; every field narrows. `since` and
 * `until` bound `created_at` (since inclusive, until exclusive); `trigger_id` matches job dead letters
 * whose job came from that trigger.
 */
export interface DeadLetterFilter {
  readonly status?: DeadLetterStatus;
  readonly kind?: DeadLetterKind;
  readonly connector?: string;
  readonly since?: string;
  readonly until?: string;
  readonly trigger_id?: string;
  /** Only those replayed fewer than this many times (`retry_count < n`); replay policies use it. */
  readonly retry_count_below?: number;
}

/** Pending dead letters of one tenant and kind (the depth gauge, depth alerts). */
export interface DeadLetterDepth {
  readonly tenant_id: string;
  readonly kind: DeadLetterKind;
  readonly pending: number;
}

/**
 * An automated replay policy: every `every_seconds`, the tenant's pending dead letters matching `filter`
 * are replayed, each until it has been replayed `max_replays` times.
 */
export interface DeadLetterPolicy {
  readonly id: string;
  readonly tenant_id: string;
  readonly name: string;
  readonly filter: DeadLetterFilter;
  readonly every_seconds: number;
  readonly max_replays: number;
  readonly created_at: string;
  /** When it last ran; null before its first run. */
  readonly last_run_at: string | null;
}
