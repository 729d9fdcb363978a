import { type PollContext, type PollPage, type PollRequest, rateLimitedFrom } from '@sluice/core';

const ID = 'http-poll';

/** The record field the platform reads a record's id from: the value at the config's `id_field`. */
export const HTTP_POLL_ID_FIELD = 'record_id';

type Config = Readonly<Record<string, unknown>>;

const fail = (message: string): never => {
  throw new Error(`${ID}: ${message}`);
};

/** The value at a dotted path (`data.items`); the value itself for an empty path. */
export function valueAt(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '') return value;
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const text = (config: Config, key: string): string | undefined => {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') return fail(`config.${key} must be a non-empty string`);
  return value;
};

/** The request headers: `headers` from the config, then the auth header from `auth_token`. */
function headersOf(config: Config): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const extra = config['headers'];
  if (extra !== undefined) {
    if (extra === null || typeof extra !== 'object' || Array.isArray(extra))
      fail('config.headers must be an object');
    for (const [name, value] of Object.entries(extra as Record<string, unknown>)) {
      if (typeof value !== 'string') fail(`config.headers.${name} must be a string`);
      headers[name.toLowerCase()] = value as string;
    }
  }
  const token = text(config, 'auth_token');
  if (token !== undefined) {
    const scheme = text(config, 'auth_scheme') ?? 'bearer';
    if (scheme === 'bearer') headers['authorization'] = `Bearer ${token}`;
    else if (scheme === 'basic') headers['authorization'] = `Basic ${Buffer.from(token).toString('base64')}`;
    else if (scheme === 'header') headers[(text(config, 'auth_header') ?? 'x-api-key').toLowerCase()] = token;
    else fail(`config.auth_scheme must be bearer, basic or header, not ${JSON.stringify(scheme)}`);
  }
  return headers;
}

/** The larger of two cursor values: numbers by value, anything else as text. */
const later = (a: string | null, b: unknown): string | null => {
  if (b === undefined || b === null) return a;
  const candidate = String(b);
  if (a === null) return candidate;
  const [x, y] = [Number(a), Number(candidate)];
  if (!Number.isNaN(x) && !Number.isNaN(y) && a.trim() !== '' && candidate.trim() !== '') {
    return y > x ? candidate : a;
  }
  return candidate > a ? candidate : a;
};

/**
 * One GET of the configured JSON API; its records (at `records_path`, or the body itself) go to the
 * platform's change detection with their id at `id_field`. `incremental` mode sends the cursor as
 * `cursor_param` and moves it to the largest `cursor_field` seen; `snapshot` mode reads everything each
 * pass. A 429 or 503 throws `RateLimitedError` with the `Retry-After` time.
 */
export async function pollHttpJson(
  ctx: PollContext,
  request: PollRequest,
  now: () => Date,
): Promise<PollPage> {
  const { config } = ctx;
  const url = new URL(text(config, 'url') ?? fail('config.url is required (the JSON endpoint to poll)'));
  const idField =
    text(config, 'id_field') ?? fail('config.id_field is required (the record field with its id)');
  const incremental = config['mode'] === 'incremental';
  const cursorField = incremental
    ? (text(config, 'cursor_field') ?? fail('incremental mode needs config.cursor_field'))
    : '';
  if (incremental && request.cursor !== null) {
    url.searchParams.set(
      text(config, 'cursor_param') ?? fail('incremental mode needs config.cursor_param'),
      request.cursor,
    );
  }
  const response = await ctx.fetch(url, { headers: headersOf(config), signal: ctx.signal });
  const limited = rateLimitedFrom(response, now());
  if (limited !== null) throw limited;
  if (!response.ok)
    fail(`GET ${url.pathname} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const body: unknown = await response.json();
  const list = valueAt(body, text(config, 'records_path'));
  if (!Array.isArray(list))
    fail(`no record array at records_path ${JSON.stringify(config['records_path'] ?? '')}`);
  let cursor = request.cursor;
  const records = (list as unknown[]).map((record, index) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      fail(`record ${index} is not an object`);
    const id = valueAt(record, idField);
    if (typeof id !== 'string' && typeof id !== 'number') fail(`record ${index} has no ${idField}`);
    if (incremental) cursor = later(cursor, valueAt(record, cursorField));
    return { [HTTP_POLL_ID_FIELD]: String(id), ...(record as Record<string, unknown>) };
  });
  return { emissions: [], records, cursor, hasMore: false };
}
