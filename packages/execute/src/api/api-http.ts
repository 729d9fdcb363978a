import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ApiMethod } from '@sluice/core';
import type { ApiFailure } from '@sluice/map';
import { classifyResponse } from '../delivery-outcome.ts';
import { guardedLookup, type Resolver, TargetRefusedError } from '../guarded-lookup.ts';
import { parseRetryAfter } from '../retry-policy.ts';
import { checkTargetUrl, type GuardOptions } from '../target-guard.ts';
import { networkError } from '../transport-error.ts';

/** How the API transport connects and reads. */
export interface ApiHttpOptions extends GuardOptions {
  /** Name resolution for host names (tests inject one); the system resolver by default. */
  readonly resolve?: Resolver;
  /** The clock, epoch ms: latency and `Retry-After` dates. */
  readonly now?: () => number;
  /** The most of a 2xx body read; a longer answer fails the call. Default 1 MiB. */
  readonly maxResponseBytes?: number;
  readonly tls?: Pick<https.AgentOptions, 'ca' | 'rejectUnauthorized'>;
}

/** One request as sent. */
export interface ApiHttpRequest {
  readonly method: ApiMethod;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
}

/** What one request came to: a 2xx answer, or the failure in outcome classes. */
export type ApiHttpResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: unknown;
      readonly latency_ms: number;
    }
  | { readonly ok: false; readonly failure: ApiFailure };

/** Default bytes of a 2xx body read. */
export const MAX_API_RESPONSE_BYTES = 1024 * 1024;
/** Bytes of an error body kept for the message. */
const ERROR_SNIPPET_BYTES = 4096;

/**
 * Sends requests to providers' APIs through the target guard (the URL before sending, every resolved
 * address through the guarded lookup), never following redirects, with a time limit and the caller's
 * abort signal over the whole exchange. Never throws.
 */
export class ApiHttp {
  readonly #options: ApiHttpOptions;
  readonly #now: () => number;
  readonly #maxBytes: number;
  readonly #lookup: LookupFunction;
  readonly #http: http.Agent;
  readonly #https: https.Agent;

  constructor(options: ApiHttpOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxBytes = options.maxResponseBytes ?? MAX_API_RESPONSE_BYTES;
    this.#lookup = guardedLookup(options, options.resolve);
    const agent = { keepAlive: true, timeout: 4_000, lookup: this.#lookup };
    this.#http = new http.Agent(agent);
    this.#https = new https.Agent({ ...agent, ...options.tls });
  }

  send(request: ApiHttpRequest, limits: { timeoutMs: number; signal?: AbortSignal }): Promise<ApiHttpResult> {
    const target = checkTargetUrl(request.url, this.#options);
    if (!target.ok) return Promise.resolve(refused(target.rule, target.message));
    if (limits.signal?.aborted) return Promise.resolve(retry('The attempt was aborted before sending.'));
    return new Promise((resolve) => {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, limits.timeoutMs);
      const onAbort = () => controller.abort();
      limits.signal?.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      const finish = (result: ApiHttpResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        limits.signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const failed = (error: unknown) => {
        if (error instanceof TargetRefusedError) finish(refused(error.refusal.rule, error.message));
        else if (timedOut) finish(retry(`Timed out after ${limits.timeoutMs} ms.`));
        else if (controller.signal.aborted) finish(retry('The attempt was aborted.'));
        else finish(retry(networkError(error)));
      };
      const started = this.#now();
      const secure = target.url.protocol === 'https:';
      let outgoing: http.ClientRequest;
      try {
        outgoing = (secure ? https : http).request(target.url, {
          method: request.method,
          headers: {
            ...request.headers,
            ...(request.body === null ? {} : { 'content-length': String(request.body.length) }),
          },
          agent: secure ? this.#https : this.#http,
          lookup: this.#lookup,
          signal: controller.signal,
        });
      } catch (error) {
        finish(refused('request_invalid', `The request cannot be sent: ${(error as Error).message}`));
        return;
      }
      outgoing.on('error', failed);
      outgoing.on('response', (response) => {
        const latency = this.#now() - started;
        const status = response.statusCode ?? 0;
        const success = status >= 200 && status < 300;
        readBody(response, success ? this.#maxBytes : ERROR_SNIPPET_BYTES, (body, outcome) => {
          if (outcome === 'broken') {
            if (controller.signal.aborted) failed(controller.signal.reason);
            else finish(retry(`HTTP ${status}: the response broke off.`, status));
            return;
          }
          if (success) {
            if (outcome === 'over') {
              const error = `HTTP ${status}: the answer is larger than ${this.#maxBytes} bytes.`;
              finish({ ok: false, failure: { kind: 'failed', status, error } });
            } else {
              finish({
                ok: true,
                status,
                headers: flatten(response.headers),
                body: parseBody(body),
                latency_ms: latency,
              });
            }
            return;
          }
          const location = response.headers.location;
          const classified = classifyResponse({
            status,
            latency_ms: latency,
            retry_after_ms: parseRetryAfter(headerText(response.headers['retry-after']), this.#now()),
            ...(location === undefined ? {} : { location }),
            body: body.toString('utf8'),
          });
          // A provider's 410 is one more permanent 4xx: the resource is gone, not the trigger's endpoint.
          if (classified.kind === 'gone') {
            finish({
              ok: false,
              failure: { kind: 'failed', status: 410, error: `HTTP 410: ${body.toString('utf8')}`.trim() },
            });
          } else if (classified.kind === 'retry' || classified.kind === 'failed') {
            finish({ ok: false, failure: classified });
          } else {
            finish(retry(`HTTP ${status}`, status));
          }
        });
      });
      outgoing.end(request.body ?? undefined);
    });
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

const retry = (error: string, status?: number): ApiHttpResult => ({
  ok: false,
  failure: { kind: 'retry', error, ...(status === undefined ? {} : { status }) },
});

const refused = (rule: string, error: string): ApiHttpResult => ({
  ok: false,
  failure: { kind: 'refused', rule, error },
});

/** Reads up to `limit` bytes; `over` when there was more (the rest is not read), `broken` when it broke off. */
function readBody(
  response: http.IncomingMessage,
  limit: number,
  done: (body: Buffer, outcome: 'complete' | 'over' | 'broken') => void,
): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let settled = false;
  const settle = (outcome: 'complete' | 'over' | 'broken') => {
    if (settled) return;
    settled = true;
    done(Buffer.concat(chunks).subarray(0, limit), outcome);
  };
  response.on('data', (chunk: Buffer) => {
    if (settled) return;
    chunks.push(chunk);
    kept += chunk.length;
    if (kept > limit) {
      settle('over');
      response.destroy();
    }
  });
  response.on('end', () => settle('complete'));
  response.on('error', () => settle('broken'));
  response.on('close', () => {
    if (!response.complete) settle('broken');
  });
}

function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function headerText(value: string | ReadonlyArray<string> | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
