/** One minute of a tenant's ingest: how many envelopes were received, and how fast they were routed. */
export interface IngestMinute {
  /** The minute's start, ISO 8601. */
  readonly minute: string;
  /** Envelopes received in this minute (live and quiet, every connection of the tenant). */
  readonly envelopes: number;
  /**
   * Receipt → job created, over the jobs made in this minute's envelopes: the median and the 95th
   * percentile in ms. Null when no envelope of the minute matched a trigger.
   */
  readonly routed_p50_ms: number | null;
  readonly routed_p95_ms: number | null;
}

/** Read-only aggregates of the log for operators (the dashboard's throughput chart). */
export interface IngestStats {
  /**
   * A tenant's ingest per minute in `[since, until)`, oldest first; minutes with no envelope are absent.
   * Reads the envelopes by the tenant's `received_at` index and their jobs by the jobs' event key.
   */
  perMinute(
    tenantId: string,
    window: { readonly since: Date; readonly until: Date },
  ): Promise<ReadonlyArray<IngestMinute>>;
}
