/** An error the API answered (or could not be reached for): its code, message, status and fix. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** The fix the error table gives for the code (after `findHint`). */
  hint: string | null = null;
  readonly details: unknown;

  constructor(code: string, message: string, status: number, details?: unknown) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /** Looks the code's fix up in the error table (loaded only when there is an error to explain). */
  async findHint(): Promise<void> {
    const { ERROR_CODES } = await import('@sluice/core');
    this.hint = Object.hasOwn(ERROR_CODES, this.code)
      ? ERROR_CODES[this.code as keyof typeof ERROR_CODES].hint
      : null;
  }
}

/** Where and as whom the CLI calls the API. */
export interface ApiTarget {
  readonly url: string;
  readonly apiKey: string;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** A small client of the Sluice HTTP API: JSON in and out, every error an `ApiError`. */
export class ApiClient {
  readonly target: ApiTarget;

  constructor(target: ApiTarget) {
    this.target = target;
  }

  /** The absolute URL of an API path with a query (undefined values left out). */
  url(path: string, query: Query = {}): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) search.set(name, String(value));
    const suffix = search.size > 0 ? `?${search}` : '';
    return `${this.target.url.replace(/\/+$/, '')}${path}${suffix}`;
  }

  /** The headers every call sends. */
  headers(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.target.apiKey}`, 'user-agent': 'sluice-cli', ...extra };
  }

  /** Sends a request and answers its JSON body (null for 204); a non-2xx answer throws its `ApiError`. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { readonly query?: Query; readonly body?: unknown } = {},
  ): Promise<T> {
    const response = await this.fetch(this.url(path, options.query), {
      method,
      headers: this.headers(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (response.status === 204) return null as T;
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok) throw errorOf(response.status, body, `${method} ${path}`);
    return body as T;
  }

  /** `fetch`, with an unreachable server as an `ApiError` that names the URL. */
  async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (cause) {
      throw new ApiError(
        'unreachable',
        `Cannot reach ${this.target.url} (${networkReason(cause)}). Is the server running? Set SLUICE_URL or --url.`,
        0,
      );
    }
  }

  /** Follows `next_cursor` until `limit` items (or the last page). */
  async list<T>(path: string, query: Query, limit: number): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000 && items.length < limit; page++) {
      const body = await this.request<{ items: T[]; next_cursor?: string | null }>('GET', path, {
        query: { ...query, limit: Math.min(500, limit - items.length), cursor },
      });
      items.push(...body.items);
      if (body.next_cursor === null || body.next_cursor === undefined) break;
      cursor = body.next_cursor;
    }
    return items;
  }
}

/** Why a `fetch` failed, in the system's words (`ECONNREFUSED`), not undici's `fetch failed`. */
export function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } })
    .cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
}

/** The `ApiError` of an error answer: the body's `{error: {code, message, details}}`, else the status. */
export function errorOf(status: number, body: unknown, what: string): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error !== undefined && typeof error.code === 'string') {
    return new ApiError(error.code, String(error.message ?? ''), status, error.details);
  }
  return new ApiError('http_error', `${what} answered ${status} without an error body.`, status);
}
