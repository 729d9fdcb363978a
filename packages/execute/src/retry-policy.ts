/** A trigger's retry settings (`retry: {max_attempts, initial_delay_ms, max_delay_ms, timeout_ms}`). */
export interface RetrySettings {
  /** Attempts in all, the first included. */
  readonly max_attempts: number;
  /** The backoff cap of the first retry; it doubles with each attempt. */
  readonly initial_delay_ms: number;
  /** No wait is longer, `Retry-After` included. */
  readonly max_delay_ms: number;
  /** How long one attempt may take, connect to the end of the response. */
  readonly timeout_ms: number;
}

/** The settings of a trigger that gives none: 8 attempts, 1 s doubling up to 1 h, 10 s per attempt. */
export const DEFAULT_RETRY: RetrySettings = {
  max_attempts: 8,
  initial_delay_ms: 1_000,
  max_delay_ms: 3_600_000,
  timeout_ms: 10_000,
};

/** The bounds each setting must lie within, inclusive. */
export const RETRY_LIMITS: Readonly<Record<keyof RetrySettings, { min: number; max: number }>> = {
  max_attempts: { min: 1, max: 50 },
  initial_delay_ms: { min: 0, max: 86_400_000 },
  max_delay_ms: { min: 0, max: 7 * 86_400_000 },
  timeout_ms: { min: 100, max: 120_000 },
};

/** The rules retry validation enforces; the stable `rule` of a problem. */
export type RetryRule = 'value_type' | 'key_unknown' | 'value_range' | 'delay_order';

/** One broken rule of a `retry` object, at a JSON path such as `retry.max_attempts`. */
export interface RetryProblem {
  readonly path: string;
  readonly rule: RetryRule;
  readonly message: string;
}

export type RetryValidation =
  | { readonly ok: true; readonly value: RetrySettings }
  | { readonly ok: false; readonly problems: ReadonlyArray<RetryProblem> };

const KEYS = Object.keys(DEFAULT_RETRY) as ReadonlyArray<keyof RetrySettings>;

function problem(path: string, rule: RetryRule, text: string): RetryProblem {
  return { path, rule, message: `${path}: rule ${rule}: ${text}` };
}

/**
 * Validates a trigger's `retry` object as the API receives it: absent (`undefined` or `null`) means the
 * defaults; each field it gives must be an integer within {@link RETRY_LIMITS}; fields it leaves out take
 * the default; `max_delay_ms` must not be below `initial_delay_ms`. Every problem is reported, with its path.
 */
export function validateRetry(input: unknown, path = 'retry'): RetryValidation {
  if (input === undefined || input === null) return { ok: true, value: DEFAULT_RETRY };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: [problem(path, 'value_type', 'retry must be an object')] };
  }
  const given = input as Record<string, unknown>;
  const problems: RetryProblem[] = [];
  for (const key of Object.keys(given)) {
    if (!(KEYS as ReadonlyArray<string>).includes(key)) {
      problems.push(
        problem(`${path}.${key}`, 'key_unknown', `retry has no field ${key}; it has ${KEYS.join(', ')}`),
      );
    }
  }
  const value: Record<string, number> = { ...DEFAULT_RETRY };
  for (const key of KEYS) {
    const field = given[key];
    if (field === undefined) continue;
    const { min, max } = RETRY_LIMITS[key];
    if (typeof field !== 'number' || !Number.isInteger(field)) {
      problems.push(
        problem(`${path}.${key}`, 'value_type', `${key} must be an integer, got ${JSON.stringify(field)}`),
      );
    } else if (field < min || field > max) {
      problems.push(
        problem(`${path}.${key}`, 'value_range', `${key} must be from ${min} to ${max}, got ${field}`),
      );
    } else {
      value[key] = field;
    }
  }
  const settings = value as unknown as RetrySettings;
  if (problems.length === 0 && settings.max_delay_ms < settings.initial_delay_ms) {
    const text = `max_delay_ms (${settings.max_delay_ms}) must not be below initial_delay_ms (${settings.initial_delay_ms})`;
    problems.push(problem(`${path}.max_delay_ms`, 'delay_order', text));
  }
  return problems.length === 0 ? { ok: true, value: settings } : { ok: false, problems };
}

/** The settings with every field a partial object leaves out taken from the defaults. */
export function retrySettings(partial: Partial<RetrySettings> = {}): RetrySettings {
  return { ...DEFAULT_RETRY, ...partial };
}

/**
 * The wait before the next attempt after attempt `attempt` (1-based) failed: full jitter,
 * `random() * min(max_delay_ms, initial_delay_ms * 2^(attempt-1))`, rounded down. `random` returns a number
 * in [0, 1), as `Math.random` does. A `Retry-After` from the target replaces the jittered wait, bounded by
 * `max_delay_ms` as well.
 */
export function retryDelay(
  settings: RetrySettings,
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.max(0, Math.min(settings.max_delay_ms, retryAfterMs));
  const exponent = Math.max(0, attempt - 1);
  // 0 * 2^1024 is NaN, not 0: an initial delay of 0 keeps every window at 0.
  const growth = settings.initial_delay_ms === 0 ? 0 : settings.initial_delay_ms * 2 ** exponent;
  const cap = Math.min(settings.max_delay_ms, growth);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.min(Math.floor(draw * cap), settings.max_delay_ms);
}

const DELAY_SECONDS = /^\d+$/;

/**
 * A `Retry-After` header in milliseconds from `nowMs`: delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`; a date in the past is 0). Null when absent or neither.
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | null {
  if (header === undefined) return null;
  const text = header.trim();
  if (DELAY_SECONDS.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
