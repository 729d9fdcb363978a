import { Buffer } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/HTTP JSON carries it (ids in hex), with the service that exported it. */
export interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly service?: string;
}

interface ExportRequest {
  readonly resourceSpans?: ReadonlyArray<{
    readonly resource?: {
      readonly attributes?: ReadonlyArray<{ key: string; value: { stringValue?: string } }>;
    };
    readonly scopeSpans?: ReadonlyArray<{ readonly spans?: ReadonlyArray<ExportedSpan> }>;
  }>;
}

/** A collector's OTLP/HTTP endpoint, as small as it gets: it keeps what it is sent. */
export interface Collector {
  readonly url: string;
  readonly requests: ReadonlyArray<{ path: string; contentType: string }>;
  /** Every span received so far. */
  spans(): ExportedSpan[];
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const requests: Array<{ path: string; contentType: string; body: ExportRequest }> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const contentType = request.headers['content-type'] ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        path: request.url ?? '/',
        contentType,
        body: contentType.startsWith('application/json') ? (JSON.parse(text) as ExportRequest) : {},
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      requests.flatMap((r) =>
        (r.body.resourceSpans ?? []).flatMap((rs) => {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
          return (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map((span) => ({ ...span, ...(service === undefined ? {} : { service }) })),
          );
        }),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
