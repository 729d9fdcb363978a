import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './testing/index.ts';
import { createConnection, shopifyHeaders, storedOf } from './testing/shopify-deliveries.ts';

/**
 * Oversized bodies over real sockets: every sender that writes its whole body and only then reads must
 * read a complete 413, never a broken pipe; a sender that keeps going far past the bound is cut off.
 */

const MiB = 1024 * 1024;

interface Exchange {
  /** The socket error the sender saw (EPIPE, ECONNRESET), if any. */
  readonly error: NodeJS.ErrnoException | null;
  readonly status: number | null;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The response was whole: head, and exactly Content-Length bytes of body. */
  readonly complete: boolean;
  readonly bytesSent: number;
}

/** Splits a raw HTTP/1.1 response; `complete` only when the body has every byte Content-Length names. */
function parseResponse(raw: Buffer): Omit<Exchange, 'error' | 'bytesSent'> {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return { status: null, headers: {}, body: '', complete: false };
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.subarray(headEnd + 4);
  const length = Number(headers['content-length']);
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: body.toString('utf8'),
    complete: Number.isInteger(length) && body.length === length,
  };
}

/**
 * One sender on its own TCP connection, without `Expect: 100-continue`: it writes the head and the whole
 * body (with Content-Length, or chunked) and reads nothing until every byte is handed to the kernel, as
 * most clients do. It stops writing early only when the socket fails or closes. `paceMs` between 64 KiB
 * pieces stands for a sender on a slower network than loopback.
 */
function send(
  port: number,
  request: {
    path: string;
    headers: Record<string, string>;
    body: Buffer;
    chunked: boolean;
    paceMs?: number;
  },
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.pause();
    const received: Buffer[] = [];
    let error: NodeJS.ErrnoException | null = null;
    let bytesSent = 0;
    let closed = false;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e;
    });
    socket.on('close', () => {
      closed = true;
      resolve({ error, bytesSent, ...parseResponse(Buffer.concat(received)) });
    });
    const framing: Record<string, string> = request.chunked
      ? { 'transfer-encoding': 'chunked' }
      : { 'content-length': String(request.body.length) };
    const head = [
      `POST ${request.path} HTTP/1.1`,
      'host: 127.0.0.1',
      ...Object.entries({ ...request.headers, ...framing }).map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    const pieces: Buffer[] = [Buffer.from(head, 'latin1')];
    const step = 64 * 1024;
    for (let offset = 0; offset < request.body.length; offset += step) {
      const piece = request.body.subarray(offset, offset + step);
      pieces.push(
        request.chunked
          ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
          : piece,
      );
    }
    if (request.chunked) pieces.push(Buffer.from('0\r\n\r\n'));
    const writeNext = (index: number): void => {
      if (closed || error !== null) return;
      const piece = pieces[index];
      if (piece === undefined) {
        socket.resume();
        return;
      }
      socket.write(piece, (e) => {
        if (e == null) {
          bytesSent += piece.length;
          if (request.paceMs === undefined) writeNext(index + 1);
          else setTimeout(() => writeNext(index + 1), request.paceMs);
        }
      });
    };
    socket.on('connect', () => writeNext(0));
  });
}

/** A sender that never stops: chunked pieces as fast as the socket takes them, up to `maxBytes`. */
function sendForever(
  port: number,
  path: string,
  headers: Record<string, string>,
  maxBytes: number,
): Promise<{ bytesSent: number; cutOff: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let bytesSent = 0;
    let done = false;
    const finish = (cutOff: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ bytesSent, cutOff });
    };
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('data', () => {});
    const piece = randomBytes(64 * 1024);
    const framed = Buffer.concat([
      Buffer.from(`${piece.length.toString(16)}\r\n`),
      piece,
      Buffer.from('\r\n'),
    ]);
    const pump = (): void => {
      while (!done) {
        if (bytesSent >= maxBytes) {
          finish(false);
          return;
        }
        bytesSent += framed.length;
        if (!socket.write(framed)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('connect', () => {
      const lines = Object.entries({ ...headers, 'transfer-encoding': 'chunked' });
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`,
      );
      pump();
    });
  });
}

/**
 * One request through `node:http`'s client, as a webhook provider written in Node sends one: the whole body
 * in 64 KiB writes `paceMs` apart (a network slower than loopback), no `Expect: 100-continue`, its own
 * connection (no keep-alive agent). Any `error` the client
 * emits (EPIPE, ECONNRESET) is kept, even after a response began.
 */
function httpRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  paceMs: number,
): Promise<{ error: string | null; status: number | null; body: string; connection: string | null }> {
  return new Promise((resolve) => {
    let error: string | null = null;
    let answered: { status: number | null; body: string; connection: string | null } | null = null;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      resolve({ error, ...(answered ?? { status: null, body: '', connection: null }) });
    };
    const request = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          answered = {
            status: response.statusCode ?? null,
            body: Buffer.concat(chunks).toString('utf8'),
            connection: response.headers.connection ?? null,
          };
          // A write error that the close brings comes before or just after the end; wait for the close.
          response.socket?.once('close', () => setImmediate(settle));
          if (response.socket?.destroyed) setImmediate(settle);
        });
        response.on('error', (e: NodeJS.ErrnoException) => {
          error ??= e.code ?? String(e);
        });
      },
    );
    request.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? String(e);
      setImmediate(settle);
    });
    request.on('close', () => setImmediate(settle));
    const step = 64 * 1024;
    const writeFrom = (offset: number): void => {
      if (request.destroyed) return;
      if (offset >= body.length) {
        request.end();
        return;
      }
      request.write(body.subarray(offset, offset + step), () =>
        setTimeout(() => writeFrom(offset + step), paceMs),
      );
    };
    writeFrom(0);
  });
}

/** Runs `jobs` with at most `width` in flight at once. */
async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await (jobs[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

/** A JSON body of exactly `bytes` bytes: an order with a long note. */
function jsonBody(bytes: number): Buffer {
  const skeleton = '{"id":5832107614443,"name":"#1042","note":""}';
  return Buffer.from(skeleton.replace('"note":""', `"note":"${'x'.repeat(bytes - skeleton.length)}"`));
}

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`oversized request bodies over real sockets (${adapter})`, () => {
    let t: TestApp;
    let port: number;
    let auth: { authorization: string };
    let tenantId: string;
    let connectionId: string;

    before(async () => {
      t = await startTestApp({ adapter });
      const made = await t.tenant('Oversize');
      auth = made.auth;
      tenantId = made.tenant.id;
      connectionId = await createConnection(t.app, auth);
      const url = new URL(await t.app.listen({ host: '127.0.0.1', port: 0 }));
      port = Number(url.port);
    });
    after(() => t.close());

    const stored = () => storedOf(t.app, auth, connectionId);

    it('answers 48 concurrent 2 MiB bodies (16 at a time; Content-Length and chunked; fast and paced) with a readable 413', async () => {
      assert.equal(t.config.bodyLimitBytes, MiB);
      const body = jsonBody(2 * MiB);
      const signed = shopifyHeaders(body);
      const targets = [
        { path: `/api/v1/ingest/${connectionId}`, headers: signed },
        { path: `/api/v1/webhooks/commerce-orders/${tenantId}`, headers: signed },
        { path: '/api/v1/events', headers: { ...auth, 'content-type': 'application/json' } },
      ];
      const storedBefore = await stored();
      const jobs = Array.from({ length: 48 }, (_, i) => {
        const target = targets[i % targets.length] as (typeof targets)[number];
        const chunked = Math.floor(i / targets.length) % 2 === 1;
        const paced = Math.floor(i / (2 * targets.length)) % 2 === 1;
        return () => send(port, { ...target, body, chunked, ...(paced ? { paceMs: 2 } : {}) });
      });
      const exchanges = await pool(jobs, 16);

      const failures = exchanges
        .map((exchange, i) => ({ i, exchange }))
        .filter(({ exchange }) => exchange.error !== null || exchange.status !== 413 || !exchange.complete);
      assert.deepEqual(
        failures.map(({ i, exchange }) => ({
          i,
          error: exchange.error?.code ?? null,
          status: exchange.status,
          complete: exchange.complete,
        })),
        [],
        'every sender reads a whole 413 and sees no socket error',
      );
      for (const exchange of exchanges) {
        assert.equal(exchange.bytesSent > 2 * MiB, true, 'the sender wrote its whole body');
        assert.match(exchange.headers['content-type'] ?? '', /^application\/json/);
        const parsed = JSON.parse(exchange.body) as { error: { code: string; message: string } };
        assert.equal(parsed.error.code, 'payload_too_large');
        assert.equal(typeof parsed.error.message, 'string');
        assert.equal(exchange.headers['connection'], 'close');
      }
      assert.deepEqual(await stored(), storedBefore, 'nothing is stored for a refused request');

      const order = Buffer.from(
        JSON.stringify({
          id: 5832107614444,
          name: '#1043',
          created_at: '2025-03-14T10:21:33-04:00',
          updated_at: '2025-03-14T10:21:35-04:00',
          currency: 'EUR',
          total_price: '100.80',
          line_items: [],
        }),
      );
      const normal = await fetch(`http://127.0.0.1:${port}/api/v1/ingest/${connectionId}`, {
        method: 'POST',
        headers: shopifyHeaders(order),
        body: order,
      });
      assert.equal(normal.status, 200, await normal.clone().text());
      assert.equal(((await normal.json()) as { accepted: number }).accepted, 1);
    });

    it('answers 64 oversized bodies sent all at once through node:http with a readable 413 each', async () => {
      const targets = [
        { path: `/api/v1/ingest/${connectionId}`, body: jsonBody(2 * MiB) },
        { path: `/api/v1/webhooks/commerce-orders/${tenantId}`, body: jsonBody(3 * MiB) },
        { path: '/api/v1/events', body: jsonBody(MiB + 1) },
      ];
      const storedBefore = await stored();
      const results = await Promise.all(
        Array.from({ length: 64 }, (_, i) => {
          const target = targets[i % targets.length] as (typeof targets)[number];
          const headers =
            target.path === '/api/v1/events'
              ? { ...auth, 'content-type': 'application/json' }
              : shopifyHeaders(target.body);
          return httpRequest(port, target.path, headers, target.body, i % 2);
        }),
      );
      const failures = results
        .map((result, i) => ({ i, ...result, body: result.body.slice(0, 80) }))
        .filter((result) => result.error !== null || result.status !== 413);
      assert.deepEqual(failures, [], 'every sender reads a 413 and its client reports no error');
      for (const result of results) {
        const parsed = JSON.parse(result.body) as { error: { code: string } };
        assert.equal(parsed.error.code, 'payload_too_large');
        assert.equal(result.connection, 'close');
      }
      assert.deepEqual(await stored(), storedBefore, 'nothing is stored for a refused request');
    });

    it('cuts off a sender that keeps sending far beyond the bound, chunked or with a huge Content-Length', async () => {
      const headers = { ...auth, 'content-type': 'application/json' };
      const started = Date.now();
      const endless = await sendForever(port, '/api/v1/events', headers, 512 * MiB);
      assert.equal(endless.cutOff, true, `the server read all ${endless.bytesSent} bytes`);
      assert.ok(endless.bytesSent < 32 * MiB, `cut off only after ${endless.bytesSent} bytes`);

      const declared = await send(port, {
        path: `/api/v1/ingest/${connectionId}`,
        headers: { ...shopifyHeaders('') },
        body: Buffer.alloc(256 * MiB, 0x20),
        chunked: false,
      });
      assert.ok(declared.bytesSent < 32 * MiB, `cut off only after ${declared.bytesSent} bytes`);
      assert.ok(Date.now() - started < 20_000);

      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
    });
  });
}
