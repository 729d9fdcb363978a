/**
 * Header names a trigger's `headers` cannot set: the Standard Webhooks headers (the id, timestamp and
 * signature a receiver verifies), trace context, and what describes the body or the connection.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'traceparent',
  'tracestate',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'host',
]);

/** Limits on a trigger's own headers. */
export const HEADER_LIMITS = { maxHeaders: 32, maxNameLength: 128, maxValueLength: 4096 } as const;

/** The rules header validation enforces. */
export type HeaderRule = 'value_type' | 'header_reserved' | 'header_name' | 'header_value' | 'header_count';

/** One broken rule of a trigger's `headers`, at a path such as `action.headers.X-Api-Key`. */
export interface HeaderProblem {
  readonly path: string;
  readonly rule: HeaderRule;
  readonly message: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Visible ASCII, space and tab; no CR, LF or other control characters, nothing Node refuses to send.
const VALUE = /^[\t\x20-\x7e]*$/;

function problem(path: string, rule: HeaderRule, text: string): HeaderProblem {
  return { path, rule, message: `${path}: rule ${rule}: ${text}` };
}

/** True when the platform sets this header, so a trigger may not (any case; every `webhook-*`). */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || lower.startsWith('webhook-');
}

/**
 * Validates a trigger's `headers` as the API receives them: an object of at most
 * {@link HEADER_LIMITS}.maxHeaders string values, names that are HTTP tokens and not reserved, values of
 * visible ASCII without line breaks. Every problem is reported, with its path.
 */
export function validateHeaders(input: unknown, path = 'action.headers'): ReadonlyArray<HeaderProblem> {
  if (input === undefined) return [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [problem(path, 'value_type', 'headers must be an object of strings')];
  }
  const entries = Object.entries(input);
  const problems: HeaderProblem[] = [];
  if (entries.length > HEADER_LIMITS.maxHeaders) {
    problems.push(
      problem(path, 'header_count', `at most ${HEADER_LIMITS.maxHeaders} headers, got ${entries.length}`),
    );
  }
  for (const [name, value] of entries) {
    const at = `${path}.${name}`;
    if (!TOKEN.test(name) || name.length > HEADER_LIMITS.maxNameLength) {
      problems.push(problem(at, 'header_name', `${JSON.stringify(name)} is not an HTTP header name`));
    } else if (isReservedHeader(name)) {
      problems.push(
        problem(at, 'header_reserved', `${name} is set by the platform and cannot be overridden`),
      );
    }
    if (typeof value !== 'string') {
      problems.push(problem(at, 'value_type', 'a header value must be a string'));
    } else if (!VALUE.test(value) || value.length > HEADER_LIMITS.maxValueLength) {
      problems.push(
        problem(
          at,
          'header_value',
          'a header value is visible ASCII, at most 4096 characters, with no line breaks',
        ),
      );
    }
  }
  return problems;
}

/**
 * The headers of one delivery: the trigger's own (names lowercased, reserved ones dropped — validation
 * refuses them up front, this keeps a stored one from overriding the signature), then the platform's,
 * which win.
 */
export function mergeHeaders(
  own: Readonly<Record<string, string>> | undefined,
  platform: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(own ?? {})) {
    if (!isReservedHeader(name)) merged[name.toLowerCase()] = value;
  }
  for (const [name, value] of Object.entries(platform)) merged[name.toLowerCase()] = value;
  return merged;
}
