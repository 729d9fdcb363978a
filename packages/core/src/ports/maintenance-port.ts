/** What one housekeeping pass removed or expired. */
export interface SweepResult {
  readonly dedupe_keys: number;
  readonly webhook_replays: number;
  readonly dead_letters_expired: number;
  /** Remembered job results whose time to live ran out. */
  readonly job_results: number;
  /** Change-detection hashes of records not seen within their time to live. */
  readonly record_hashes: number;
  /** Outbox rows relayed more than an hour before (the envelopes they pointed at stay). */
  readonly outbox_relayed: number;
}

/** The store's own life: schema, health, shutdown and housekeeping. */
export interface StoreMaintenance {
  /** Applies pending migrations; safe to run again and from several processes at once. */
  migrate(): Promise<{ readonly applied: ReadonlyArray<string> }>;
  /** Throws `storage_unavailable` when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Deletes up to `limit` dedupe keys, replay keys, remembered job results and record hashes that expired by `now`,
   * and outbox rows relayed an hour before `now` or earlier, and marks pending dead letters created before
   * `deadLettersBefore` as expired. Safe to run from several
   * processes at once.
   */
  sweepExpired(now: Date, deadLettersBefore: Date, limit: number): Promise<SweepResult>;
  /**
   * Takes fresh planner statistics (`ANALYZE`) of every table that has grown to at least twice its size
   * when they were last taken, or one of whose indexes has, and returns their names (none while another
   * process is doing it). Safe to run from several processes at once.
   */
  refreshStatistics(): Promise<ReadonlyArray<string>>;
  /**
   * Where autovacuum does not run, vacuums what it would have, and returns the tables' names: on a
   * PostgreSQL server with `autovacuum = off`, each table whose dead rows passed autovacuum's own threshold;
   * on PGlite (which runs no autovacuum and counts no dead rows), one of the tables that take updates and
   * deletes per call, in turn, each at most every ten seconds. Nothing where autovacuum is on. Safe to run
   * from several processes at once (a table another is vacuuming is skipped).
   */
  vacuumDead(): Promise<ReadonlyArray<string>>;
}
