import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { classifyResponse, type DeliveryOutcome } from './delivery-outcome.ts';
import type { DeliveryRequest } from './delivery-request.ts';
import { guardedLookup, type Resolver, TargetRefusedError } from './guarded-lookup.ts';
import { DEFAULT_RETRY, parseRetryAfter } from './retry-policy.ts';
import { checkTargetUrl, type GuardOptions } from './target-guard.ts';
import { networkError } from './transport-error.ts';

/** How a deliverer connects and reads. */
export interface HttpDelivererOptions extends GuardOptions {
  /** Name resolution for host names (tests inject one); the system resolver by default. */
  readonly resolve?: Resolver;
  /** The clock, epoch ms: latency and `Retry-After` dates. */
  readonly now?: () => number;
  /** Bytes of a response body kept for the attempt's error; the rest is not read. Default 4 KiB. */
  readonly maxResponseBytes?: number;
  /** Options for the TLS connections (a test's own CA, for instance). */
  readonly tls?: Pick<https.AgentOptions, 'ca' | 'rejectUnauthorized'>;
}

/** One attempt's own settings. */
export interface SendOptions {
  /** The whole attempt, connect to the end of the read; default 10 s. */
  readonly timeoutMs?: number;
  /** Aborts the attempt from outside (the executor stopping); it ends as a retryable failure. */
  readonly signal?: AbortSignal;
}

/** Default bytes of a response body kept. */
export const MAX_RESPONSE_BYTES = 4096;

/**
 * Sends delivery requests over HTTP(S): one POST per attempt, no redirects followed, a timeout over the
 * whole attempt, at most `maxResponseBytes` of the body read. Every connection goes through the target
 * guard: the URL and IP-literal hosts before sending, host names through a lookup that checks every
 * address and connects to the checked one. Sockets are kept alive per origin; `close` ends them.
 */
export class HttpDeliverer {
  readonly #options: HttpDelivererOptions;
  readonly #now: () => number;
  readonly #maxBytes: number;
  readonly #lookup: LookupFunction;
  readonly #http: http.Agent;
  readonly #https: https.Agent;

  constructor(options: HttpDelivererOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.#lookup = guardedLookup(options, options.resolve);
    const agent = { keepAlive: true, timeout: 4_000, lookup: this.#lookup };
    this.#http = new http.Agent(agent);
    this.#https = new https.Agent({ ...agent, ...options.tls });
  }

  /** Sends one attempt and classifies what came back. Never throws. */
  send(request: DeliveryRequest, options: SendOptions = {}): Promise<DeliveryOutcome> {
    const target = checkTargetUrl(request.url, this.#options);
    if (!target.ok) return Promise.resolve({ kind: 'refused', rule: target.rule, error: target.message });
    const timeoutMs = options.timeoutMs ?? DEFAULT_RETRY.timeout_ms;
    return new Promise((resolve) => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      const external = options.signal;
      const onAbort = () => controller.abort();
      if (external?.aborted) controller.abort();
      else external?.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      const finish = (outcome: DeliveryOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        external?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const failed = (error: unknown) => {
        if (error instanceof TargetRefusedError) {
          finish({ kind: 'refused', rule: error.refusal.rule, error: error.message });
        } else if (controller.signal.aborted) {
          const why = external?.aborted
            ? 'Aborted: the executor stopped.'
            : `Timed out after ${timeoutMs} ms.`;
          finish({ kind: 'retry', error: why });
        } else {
          finish({ kind: 'retry', error: networkError(error) });
        }
      };
      const started = this.#now();
      const secure = target.url.protocol === 'https:';
      let outgoing: http.ClientRequest;
      try {
        outgoing = (secure ? https : http).request(target.url, {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(request.body.length) },
          agent: secure ? this.#https : this.#http,
          lookup: this.#lookup,
          signal: controller.signal,
        });
      } catch (error) {
        const message = `The request cannot be sent: ${(error as Error).message}`;
        finish({ kind: 'refused', rule: 'request_invalid', error: message });
        return;
      }
      outgoing.on('error', failed);
      outgoing.on('response', (response) => {
        const latency = this.#now() - started;
        this.#read(response, (body, complete) => {
          if (!complete) {
            const status = response.statusCode ?? 0;
            if (controller.signal.aborted) failed(controller.signal.reason);
            else finish({ kind: 'retry', status, error: `HTTP ${status}: the response broke off.` });
            return;
          }
          const location = response.headers.location;
          finish(
            classifyResponse({
              status: response.statusCode ?? 0,
              latency_ms: latency,
              retry_after_ms: parseRetryAfter(headerText(response.headers['retry-after']), this.#now()),
              ...(location === undefined ? {} : { location }),
              body,
            }),
          );
        });
      });
      outgoing.end(request.body);
    });
  }

  /**
   * Reads at most `maxResponseBytes` of the body, then stops reading (the socket is destroyed rather than
   * drained). `complete` is false when the response broke off before its end or the limit.
   */
  #read(response: http.IncomingMessage, done: (body: string, complete: boolean) => void): void {
    const chunks: Buffer[] = [];
    let kept = 0;
    let over = false;
    response.on('data', (chunk: Buffer) => {
      if (over) return;
      chunks.push(chunk);
      kept += chunk.length;
      if (kept >= this.#maxBytes) {
        over = true;
        done(Buffer.concat(chunks).subarray(0, this.#maxBytes).toString('utf8'), true);
        response.destroy();
      }
    });
    response.on('end', () => {
      if (!over) done(Buffer.concat(chunks).toString('utf8'), true);
    });
    response.on('error', () => {
      if (!over) done('', false);
    });
    response.on('close', () => {
      if (!over && !response.complete) done('', false);
    });
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

function headerText(value: string | ReadonlyArray<string> | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
