import type { TSchema } from '@sinclair/typebox';
import type { Envelope } from './envelope.ts';

/** How a connector's API client authenticates, from a connection config key (listed in `secretConfig`). */
export type ApiAuth =
  /** `Authorization: Bearer <config[configKey]>` */
  | { readonly type: 'bearer'; readonly configKey: string }
  /** `<header>: <config[configKey]>`, e.g. `X-Shopify-Access-Token`. */
  | { readonly type: 'header'; readonly header: string; readonly configKey: string }
  | { readonly type: 'none' };

/** A connector's versioned API client: where a connection's base URL is, how it authenticates. */
export interface ApiDeclaration {
  /** The provider API version the client speaks (`2024-01`, `2022-11-28`); `api_client.registered` names it. */
  readonly version: string;
  /** The connection config key holding the API's base URL, e.g. `base_url`. */
  readonly baseUrlConfigKey: string;
  readonly auth: ApiAuth;
  /** A header that carries `version` on every request (GitHub's `X-GitHub-Api-Version`). */
  readonly versionHeader?: string;
  /** Headers sent on every request (`Accept`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The HTTP methods a connector action may use. */
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request to the provider's API; `path` is joined to the connection's base URL. */
export interface ApiRequest {
  readonly method: ApiMethod;
  /** `/repos/acme/shop/issues/7/comments`; path segments from input should be `encodeURIComponent`ed. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A 2xx answer of the provider's API; the body parsed as JSON when it is JSON, else text (null if empty). */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * The client a connector action calls its provider with, built for one connection and one run. A non-2xx
 * answer, a timeout or a refused target rejects with the map package's `ApiCallError`, which carries the
 * outcome class (retry, failed, refused) the executor acts on.
 */
export interface ApiClient {
  readonly version: string;
  request(request: ApiRequest): Promise<ApiResponse>;
}

/** What a connector action's `run` is given. */
export interface ConnectorActionContext {
  readonly client: ApiClient;
  /** The connection's config, sealed values opened. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly connectionId: string;
  readonly tenantId: string;
  /** The same on every attempt; the client sends it as `Idempotency-Key`. */
  readonly idempotencyKey: string;
  /** The event that caused the run. */
  readonly envelope: Envelope;
  readonly signal: AbortSignal;
}

/** An action a connector declares: its input schema and what it does with the provider's API. */
export interface ConnectorActionSpec<I = Record<string, unknown>> {
  readonly description?: string;
  /** A TypeBox schema; input that does not match is refused before `run`. */
  readonly input: TSchema;
  /** Returns the action's result (usually the provider's answer body), remembered under the idempotency key. */
  // A method, so an action typed with its own input (`Static<typeof schema>`) fits the record of actions.
  run(ctx: ConnectorActionContext, input: I): Promise<unknown>;
}
