/**
 * Every stable error code Sluice returns, in one place. A code is never reused for another meaning.
 * `status` is the HTTP status the code maps to on the API surfaces.
 */
export const ERROR_CODES = {
  // 400 — the request itself is malformed
  invalid_json: { status: 400, hint: 'Send a syntactically valid JSON body.' },
  invalid_request: { status: 400, hint: 'Check the request against /openapi.json.' },
  invalid_schedule: {
    status: 400,
    hint: 'Give a five- or six-field cron expression (e.g. `*/5 * * * *`) and an IANA time zone.',
  },
  invalid_cloudevent: {
    status: 400,
    hint: 'Send a CloudEvents 1.0 event with specversion, id, source and type.',
  },
  invalid_cursor: { status: 400, hint: 'Pass the next_cursor value from a previous page unchanged.' },
  batch_too_large: { status: 400, hint: 'Split the batch into batches of at most 500 emissions.' },
  batch_empty: { status: 400, hint: 'Send at least one emission.' },
  // 401 — who are you?
  unauthenticated: { status: 401, hint: 'Send `Authorization: Bearer <api key>`.' },
  signature_missing: { status: 401, hint: "Send the signature header the connector's scheme requires." },
  signature_invalid: { status: 401, hint: 'Sign the raw request body with the connection secret.' },
  timestamp_stale: { status: 401, hint: 'Sign with the current time; the tolerance is 300 s by default.' },
  webhook_replayed: { status: 401, hint: 'Send a new webhook id for a new delivery.' },
  // 403 — you may not
  forbidden: { status: 403, hint: 'Use a key with access to this resource.' },
  tenant_mismatch: { status: 403, hint: 'A connection writes only into its own tenant.' },
  // 404 — no such thing (for this tenant)
  not_found: { status: 404, hint: 'Check the path.' },
  tenant_not_found: { status: 404, hint: 'Check the tenant id.' },
  connector_not_found: { status: 404, hint: 'List connectors with GET /api/v1/connectors.' },
  connection_not_found: { status: 404, hint: 'List connections with GET /api/v1/connections.' },
  event_not_found: { status: 404, hint: 'Check the event id.' },
  backfill_not_found: {
    status: 404,
    hint: 'Use the backfill id that POST /api/v1/connections/{id}/backfills answered.',
  },
  stream_not_pollable: {
    status: 422,
    hint: "Name a poll stream of the connection's connector (GET /api/v1/connectors lists its streams).",
  },
  dead_letter_not_found: { status: 404, hint: 'List dead letters with GET /api/v1/dead-letters.' },
  trigger_not_found: { status: 404, hint: 'List triggers with GET /api/v1/triggers.' },
  subscription_not_found: { status: 404, hint: 'List subscriptions with GET /api/v1/subscriptions.' },
  job_not_found: { status: 404, hint: 'List jobs with GET /api/v1/jobs.' },
  dead_letter_policy_not_found: {
    status: 404,
    hint: 'List replay policies with GET /api/v1/dead-letter-policies.',
  },
  replay_not_found: { status: 404, hint: 'Bulk replays are kept in memory by the process that runs them.' },
  stream_not_found: { status: 404, hint: 'List poll streams with GET /api/v1/streams.' },
  schedule_not_found: { status: 404, hint: 'List cron schedules with GET /api/v1/schedules.' },
  // 405 — the path exists, the method does not
  method_not_allowed: { status: 405, hint: 'Use one of the methods in the Allow header.' },
  // 409 — state conflict
  connection_retired: { status: 409, hint: 'Create a new connection; a retired one accepts nothing.' },
  conflict: { status: 409, hint: 'Reload the resource and retry.' },
  // 413, 415
  payload_too_large: { status: 413, hint: 'Send a smaller body or raise the limit in config.' },
  unsupported_media_type: { status: 415, hint: 'Send application/json (or a CloudEvents media type).' },
  // 431
  headers_too_large: { status: 431, hint: 'Send fewer or shorter headers (16 KiB in all).' },
  // 422 — well-formed but not acceptable
  emission_invalid: { status: 422, hint: 'Fix the emission named by `details`.' },
  event_type_undeclared: {
    status: 422,
    hint: "Declare the event type in the connector's events or streams.",
  },
  emission_too_large: {
    status: 422,
    hint: 'Keep each payload under the per-emission limit (256 KiB by default).',
  },
  mapping_failed: {
    status: 422,
    hint: "Fix the connector's mapping; the delivery is kept as a dead letter.",
  },
  validation_failed: { status: 422, hint: 'Fix the fields named in `details`.' },
  connection_config_invalid: {
    status: 422,
    hint: 'Fix every field in `details.problems`; each names its path (`streams.<key>.<field>`) and the rule it breaks.',
  },
  replay_filter_empty: {
    status: 422,
    hint: 'Name at least one of kind, connector, status, since, until or trigger_id.',
  },
  trigger_invalid: {
    status: 422,
    hint: 'Fix every field in `details.problems`; each names its path and the rule it breaks.',
  },
  subscription_invalid: {
    status: 422,
    hint: 'Fix every field in `details.problems`, or express the subscription as a trigger.',
  },
  connector_definition_invalid: { status: 422, hint: 'Fix the connector definition named in the message.' },
  operator_definition_invalid: {
    status: 422,
    hint: 'Fix the operator named in the message; operator names are unique in a process.',
  },
  // 429, 503
  quota_exceeded: { status: 429, hint: 'Retry after the number of seconds in Retry-After.' },
  storage_unavailable: { status: 503, hint: 'Retry after the number of seconds in Retry-After.' },
  dashboard_not_built: {
    status: 503,
    hint: 'Build it with `npm run build -w @sluice/dashboard` (`npm install` does), then restart Sluice.',
  },
  // 500 — our fault
  internal: { status: 500, hint: 'This is a bug; the request id is in the logs.' },
} as const satisfies Record<string, { status: number; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error response: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: unknown };
}

/**
 * An error with a stable code. The message says what failed and shows the bad value;
 * `details` carries structured context (an element index, a rule, a field).
 */
export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** Seconds, for 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: unknown; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }

  /** The message with its fix hint and code, as logged and shown to humans. */
  describe(): string {
    return `${this.message} To fix: ${ERROR_CODES[this.code].hint} [${this.code}]`;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function isSluiceError(value: unknown): value is SluiceError {
  return value instanceof SluiceError;
}
