import { Buffer } from 'node:buffer';
import type { ApiClient, ApiDeclaration, ApiRequest, ApiResponse } from '@sluice/core';
import { ApiCallError } from '@sluice/map';
import type { ApiHttp } from './api-http.ts';

/** The `User-Agent` of API calls, unless the connector's api headers set one. */
export const API_USER_AGENT = 'Sluice-Connectors/1';

/** What a client for one connection and one run is built from. */
export interface ApiClientInput {
  readonly api: ApiDeclaration;
  /** The connection's config, sealed values opened. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly http: ApiHttp;
  /** Sent as `Idempotency-Key` on every request of the run. */
  readonly idempotencyKey: string;
  /** Each request's time limit. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** A built client, and what it last got (the run's outcome reports the last status and the total latency). */
export interface BuiltApiClient {
  readonly client: ApiClient;
  readonly calls: () => {
    readonly count: number;
    readonly lastStatus: number | null;
    readonly latencyMs: number;
  };
}

/** The client, or why the connection's config cannot make one (a missing base URL or credential). */
export type ApiClientBuild =
  | { readonly ok: true; readonly value: BuiltApiClient }
  | { readonly ok: false; readonly error: string };

/**
 * Builds the versioned API client of a connector for one connection: requests go to the connection's
 * base URL (`config[api.baseUrlConfigKey]`), carry its credential as the api's auth says, the api's version
 * header, and the run's idempotency key, through the guarded transport.
 */
export function buildApiClient(input: ApiClientInput): ApiClientBuild {
  const { api, config } = input;
  const baseText = config[api.baseUrlConfigKey];
  if (typeof baseText !== 'string' || !URL.canParse(baseText)) {
    return {
      ok: false,
      error: `The connection's config has no usable ${JSON.stringify(api.baseUrlConfigKey)} (the API's base URL, e.g. "https://api.example.com").`,
    };
  }
  const auth = authHeaders(api, config);
  if (!auth.ok) return auth;
  const base = new URL(baseText);
  const fixed: Record<string, string> = {
    accept: 'application/json',
    'user-agent': API_USER_AGENT,
    ...lowercase(api.headers ?? {}),
    ...(api.versionHeader === undefined ? {} : { [api.versionHeader.toLowerCase()]: api.version }),
  };
  let count = 0;
  let lastStatus: number | null = null;
  let latencyMs = 0;
  const client: ApiClient = {
    version: api.version,
    async request(request: ApiRequest): Promise<ApiResponse> {
      const url = joinUrl(base, request);
      const body = request.body === undefined ? null : Buffer.from(JSON.stringify(request.body), 'utf8');
      // The request's own headers come first: they cannot replace the credential or the idempotency key.
      const headers = {
        ...fixed,
        ...lowercase(request.headers ?? {}),
        ...(body === null ? {} : { 'content-type': 'application/json' }),
        ...auth.headers,
        'idempotency-key': input.idempotencyKey,
      };
      count++;
      const result = await input.http.send(
        { method: request.method, url, headers, body },
        { timeoutMs: input.timeoutMs, signal: input.signal },
      );
      if (!result.ok) {
        if ('status' in result.failure && result.failure.status !== undefined)
          lastStatus = result.failure.status;
        throw new ApiCallError(result.failure);
      }
      lastStatus = result.status;
      latencyMs += result.latency_ms;
      return { status: result.status, headers: result.headers, body: result.body };
    },
  };
  return { ok: true, value: { client, calls: () => ({ count, lastStatus, latencyMs }) } };
}

function authHeaders(
  api: ApiDeclaration,
  config: Readonly<Record<string, unknown>>,
): { ok: true; headers: Record<string, string> } | { ok: false; error: string } {
  if (api.auth.type === 'none') return { ok: true, headers: {} };
  const credential = config[api.auth.configKey];
  if (typeof credential !== 'string' || credential === '') {
    return {
      ok: false,
      error: `The connection's config has no ${JSON.stringify(api.auth.configKey)} credential for the API.`,
    };
  }
  return api.auth.type === 'bearer'
    ? { ok: true, headers: { authorization: `Bearer ${credential}` } }
    : { ok: true, headers: { [api.auth.header.toLowerCase()]: credential } };
}

/** The base URL's path, then the request's (a leading `/` added), then the query. */
function joinUrl(base: URL, request: ApiRequest): string {
  const url = new URL(base.href);
  const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  return url.href;
}

function lowercase(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
