import { Buffer } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the test receiver got. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Answers one request; it may write anything, hang, or destroy the socket. */
export type ReceiverHandler = (
  request: ReceivedRequest,
  response: http.ServerResponse,
  raw: http.IncomingMessage,
) => void;

/** A real HTTP server on 127.0.0.1 that records what it receives. */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Replaces the handler for the requests that follow. */
  handle(handler: ReceiverHandler): void;
  close(): Promise<void>;
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Starts a receiver on a free port of 127.0.0.1; it answers 204 until given a handler. */
export async function startReceiver(initial?: ReceiverHandler): Promise<TestReceiver> {
  let handler: ReceiverHandler =
    initial ??
    ((_request, response) => {
      response.statusCode = 204;
      response.end();
    });
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((raw, response) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', () => {
      const request: ReceivedRequest = {
        method: raw.method ?? '',
        path: raw.url ?? '',
        headers: flatten(raw.headers),
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      handler(request, response, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler answering `status` with optional headers and body. */
export function answer(
  status: number,
  headers: Readonly<Record<string, string>> = {},
  body = '',
): ReceiverHandler {
  return (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };
}
