import type { Envelope } from '@sluice/core';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { type ApiClient, ApiError, errorOf, networkReason } from './api-client.ts';

/** The filters of the live tail (`GET /api/v1/events/stream`). */
export interface TailFilter {
  readonly type?: string;
  readonly entity?: string;
  readonly source?: string;
  readonly connection?: string;
  readonly stream?: string;
  readonly mode?: string;
}

/** How a follow goes on and ends. */
export interface FollowOptions {
  /** Resume after this position or event id (`Last-Event-ID`); absent: from now. */
  readonly since?: string;
  /** Stop after this many envelopes; absent: until `signal`. */
  readonly count?: number;
  /** Give up after this many failed connection attempts in a row (default 30). */
  readonly maxRetries?: number;
  readonly signal: AbortSignal;
  /** Told of each (re)connection and drop, for a note on stderr. */
  onStatus(text: string): void;
}

/** Waits up to `ms`, or less when the signal aborts. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Follows the tenant's live tail over SSE and hands each envelope to `onEnvelope` with its position, in
 * order. On a dropped stream or a server error it reconnects with backoff (0.5 s doubling to 15 s) and
 * `Last-Event-ID` set to the last position seen, so nothing is skipped. A client error (a bad key, a bad
 * filter) is thrown as the API's `ApiError`. Resolves with the last position when `count` envelopes came or
 * the signal aborted.
 */
export async function followEnvelopes(
  client: ApiClient,
  filter: TailFilter,
  options: FollowOptions,
  onEnvelope: (envelope: Envelope, position: string) => Promise<void> | void,
): Promise<string | undefined> {
  const url = client.url('/api/v1/events/stream', {
    event_type: filter.type,
    entity: filter.entity,
    source: filter.source,
    connection_id: filter.connection,
    stream: filter.stream,
    mode: filter.mode,
  });
  const maxRetries = options.maxRetries ?? 30;
  let last = options.since;
  let seen = 0;
  let failures = 0;
  let connectedOnce = false;
  while (!options.signal.aborted) {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: client.headers({
          accept: 'text/event-stream',
          ...(last === undefined ? {} : { 'last-event-id': last }),
        }),
        signal: options.signal,
      });
    } catch (cause) {
      if (options.signal.aborted) break;
      failures++;
      if (failures > maxRetries) {
        throw new ApiError('unreachable', `Cannot reach ${client.target.url} (${networkReason(cause)}).`, 0);
      }
      const wait = Math.min(15_000, 500 * 2 ** (failures - 1));
      options.onStatus(`cannot reach the server; retrying in ${wait / 1000} s`);
      await sleep(wait, options.signal);
      continue;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      const error = errorOf(response.status, body, 'GET /api/v1/events/stream');
      if (response.status < 500 && response.status !== 429) throw error;
      failures++;
      if (failures > maxRetries) throw error;
      const wait = Math.min(15_000, 500 * 2 ** (failures - 1));
      options.onStatus(`${error.code}: ${error.message}; retrying in ${wait / 1000} s`);
      await sleep(wait, options.signal);
      continue;
    }
    failures = 0;
    options.onStatus(
      connectedOnce ? `reconnected${last === undefined ? '' : `, resuming after ${last}`}` : 'connected',
    );
    connectedOnce = true;
    try {
      const events = (response.body as ReadableStream<Uint8Array>)
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream());
      for await (const event of events) {
        if (event.event === 'error') {
          options.onStatus(`the server reported: ${event.data}`);
          continue;
        }
        if (event.event !== 'envelope') continue;
        const position = event.id ?? last ?? '';
        await onEnvelope(JSON.parse(event.data) as Envelope, position);
        last = position;
        seen++;
        if (options.count !== undefined && seen >= options.count) return last;
      }
    } catch (cause) {
      if (options.signal.aborted) break;
      options.onStatus(`the stream broke (${(cause as Error).message})`);
    }
    if (options.signal.aborted) break;
    failures++;
    if (failures > maxRetries) throw new ApiError('stream_closed', 'The live tail kept closing; gave up.', 0);
    options.onStatus('the stream closed; reconnecting');
    await sleep(Math.min(15_000, 500 * 2 ** (failures - 1)), options.signal);
  }
  return last;
}

/** An AbortSignal that Ctrl-C (and TERM) aborts, so a follow ends cleanly and says where to resume. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
