/** The parts of the API's answers the dashboard shows (see /openapi.json for the whole shapes). */

export interface Envelope {
  readonly event_id: string;
  readonly event_type: string;
  readonly source: string;
  readonly connection_id: string;
  readonly received_at: string;
  readonly mode: 'live' | 'quiet';
  readonly payload: { readonly entity?: { readonly kind: string; readonly id: string } } & Record<
    string,
    unknown
  >;
}

export interface StreamHealth {
  readonly connection_id: string;
  readonly connector_id: string;
  readonly stream: string;
  readonly schedule: string;
  readonly timezone: string;
  /** Null while the stream runs on its schedule; else the interval adaptive polling chose. */
  readonly interval_ms: number | null;
  readonly interval_reason: string;
  readonly status: 'ok' | 'failing' | 'rate_limited' | 'paused';
  readonly next_run_at: string;
  readonly last_success_at: string | null;
  readonly last_error: { readonly at: string; readonly message: string } | null;
}

export interface Trigger {
  readonly id: string;
  readonly name: string;
  readonly event_types: ReadonlyArray<string>;
  readonly enabled: boolean;
  readonly action: { readonly type: string; readonly url?: string; readonly name?: string };
}

export interface JobAttempt {
  readonly started_at: string;
  readonly status_code: number | null;
  readonly latency_ms: number | null;
  readonly error: string | null;
}

export interface Job {
  readonly id: string;
  readonly event_id: string;
  readonly status: string;
  readonly priority: string;
  readonly entity_key: string | null;
  readonly created_at: string;
  readonly attempts: ReadonlyArray<JobAttempt>;
}

export interface DeadLetter {
  readonly id: string;
  readonly kind: 'ingest' | 'job';
  readonly connector: string;
  readonly job_id: string | null;
  readonly error_message: string;
  readonly created_at: string;
  readonly retry_count: number;
  readonly status: string;
  readonly event_payload: { readonly body_base64: string; readonly headers: Record<string, string> };
  readonly error_context: Record<string, unknown>;
}

export interface IngestMinute {
  readonly minute: string;
  readonly envelopes: number;
  readonly routed_p50_ms: number | null;
  readonly routed_p95_ms: number | null;
}

export interface Page<T> {
  readonly items: ReadonlyArray<T>;
  readonly next_cursor?: string | null;
}
