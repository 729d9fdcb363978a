import { createServer, type Server } from 'node:http';

/** A local JSON API for poll tests: serves `records` under `{data}`, or 429 with `Retry-After` when told. */
export interface JsonServer {
  readonly url: string;
  records: Array<Record<string, unknown>>;
  /** Answer the next request 429 with this `Retry-After` (seconds or an HTTP date). */
  rateLimitNext: string | null;
  /** Query strings seen, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

export async function startJsonServer(): Promise<JsonServer> {
  const state = {
    records: [] as Array<Record<string, unknown>>,
    rateLimitNext: null as string | null,
    seen: [] as string[],
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    state.seen.push(url.search);
    if (state.rateLimitNext !== null) {
      res.writeHead(429, { 'retry-after': state.rateLimitNext, 'content-type': 'application/json' });
      state.rateLimitNext = null;
      res.end('{"error":"slow down"}');
      return;
    }
    const after = url.searchParams.get('since');
    const data = state.records.filter((r) => after === null || Number(r['updated']) > Number(after));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/items`,
    get records() {
      return state.records;
    },
    set records(value) {
      state.records = value;
    },
    get rateLimitNext() {
      return state.rateLimitNext;
    },
    set rateLimitNext(value) {
      state.rateLimitNext = value;
    },
    seen: state.seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
