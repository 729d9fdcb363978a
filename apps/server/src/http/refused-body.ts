import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface RefusedBodyOptions {
  /** The most body bytes still read and discarded after the refusal; 0 closes at once. */
  readonly drainBytes: number;
  /** The longest a refusal waits for the rest of the body. */
  readonly drainTimeoutMs: number;
}

/** Ten seconds: enough for a few MiB from an ordinary sender, short of holding a socket for a slow one. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/**
 * Reads and discards what is left of `request`'s body. Resolves `true` once the body has ended, `false`
 * (with the stream paused) when it would pass `maxBytes`, takes longer than `timeoutMs`, or breaks off.
 */
export function discardBody(request: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<boolean> {
  if (request.complete || request.readableEnded) return Promise.resolve(true);
  if (request.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onBroken);
      request.off('close', onBroken);
      if (!ended) request.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer | string) => {
      seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (seen > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onBroken = () => finish(request.complete);
    const timer = setTimeout(() => finish(false), timeoutMs);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onBroken);
    request.once('close', onBroken);
    request.resume();
  });
}

/**
 * Makes every refusal sent while the request body is still arriving (a 413 on `Content-Length`, or after
 * the limit on a chunked body) wait until that body is read, up to `drainBytes` and `drainTimeoutMs`, and
 * close the connection. Node destroys the socket as soon as a `Connection: close` response has been
 * written; bytes the sender is still writing then meet a reset, its write fails with EPIPE/ECONNRESET, and
 * the 413 it never read turns into a transport error that a webhook provider retries. A body declared or
 * found to be larger than the bound is not waited for: the sender is cut off after the answer.
 */
export function installRefusedBodyDrain(app: FastifyInstance, options: RefusedBodyOptions): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    // `complete` is false only on a real socket whose request body has not all arrived yet. Callback
    // style: the answers that wait for nothing (nearly all) cost no promise.
    if (reply.statusCode < 400 || request.raw.complete !== false) return done(null, payload);
    reply.header('connection', 'close');
    const declared = Number(request.headers['content-length']);
    if (options.drainBytes > 0 && !(declared > options.drainBytes)) {
      discardBody(request.raw, options.drainBytes, options.drainTimeoutMs).then(
        () => done(null, payload),
        (error: Error) => done(error),
      );
    } else {
      done(null, payload);
    }
  });
}
