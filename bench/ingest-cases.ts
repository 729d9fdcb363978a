/**
 * The HTTP ingest cases: the two baselines (bare node:http, the peer), Sluice in server mode with one and
 * eight connections and with duplicates, batch emit against a raw multi-row INSERT, and the embedded default.
 * Every case is driven by wrk with pre-signed requests; each server runs in its own process.
 */
import { rm } from 'node:fs/promises';
import { createPostgresClient } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { cpuSeconds, peakRssMb, startServer } from './harness.ts';
import { type BenchRequest, shopifyOrder, writeRequests } from './signed-requests.ts';
import { type Mode, SHOPIFY_SECRET, type SluiceProcess, startSluice } from './sluice-process.ts';
import { type LoadResult, wrk } from './wrk.ts';

const here = (file: string) => new URL(file, import.meta.url).pathname;

export interface CaseSettings {
  readonly seconds: number;
  readonly connections: number;
}

/** One line of the table: a load result, or a rate alone. */
export interface CaseRow {
  readonly key: string;
  readonly name: string;
  readonly result: LoadResult;
}

/** Order ids never repeat within a run, so every pre-signed request carries a new dedupe key. */
let nextOrderId = Date.now() * 10;
const newOrder = (path: string) => shopifyOrder(nextOrderId++, SHOPIFY_SECRET, path);

/**
 * Pre-signs `seconds × ceiling` requests (plus a one-second warm-up), warms up, then measures, with the
 * CPU time the server process `pid` spent per request.
 */
async function drive(
  url: string,
  settings: CaseSettings & { readonly ceiling: number; readonly pid?: number | undefined },
  make: (i: number) => BenchRequest,
): Promise<LoadResult> {
  const warm = await writeRequests(settings.ceiling, make);
  await wrk({ url, requests: warm, connections: settings.connections, seconds: 1 });
  await rm(warm);
  const file = await writeRequests(settings.seconds * settings.ceiling, make);
  try {
    const cpuBefore = cpuSeconds(settings.pid);
    const result = await wrk({
      url,
      requests: file,
      connections: settings.connections,
      seconds: settings.seconds,
    });
    const requests = result.rps * settings.seconds;
    return { ...result, cpuMsPerRequest: ((cpuSeconds(settings.pid) - cpuBefore) * 1000) / requests };
  } finally {
    await rm(file);
  }
}

/** bare node:http and the peer (Fastify + HMAC + BullMQ `queue.add`), each in its own process. */
export async function baselineCases(settings: CaseSettings): Promise<CaseRow[]> {
  const bare = await startServer(here('./servers/bare-http.ts'));
  // Nothing is kept, so 20,000 distinct requests cycled are as good as new ones.
  const bareFile = await writeRequests(20_000, () => newOrder('/'));
  await wrk({ url: bare.url, requests: bareFile, connections: settings.connections, seconds: 1 });
  const bareResult = await wrk({ url: bare.url, requests: bareFile, ...settings });
  await rm(bareFile);
  await bare.stop();

  const peer = await startServer(here('./servers/fastify-hmac-bullmq.ts'), { BENCH_SECRET: SHOPIFY_SECRET });
  const peerResult = await drive(peer.url, { ...settings, ceiling: 30_000, pid: peer.child.pid }, () =>
    newOrder('/webhooks/orders'),
  );
  await peer.stop();
  return [
    { key: 'bare', name: 'bare node:http (parse, 202; nothing kept)', result: bareResult },
    { key: 'peer', name: 'peer: Fastify + HMAC + BullMQ queue.add', result: peerResult },
  ];
}

/** Sluice in server mode (PostgreSQL, every default stage running): 1 and 8 connections, duplicates. */
export async function serverIngestCases(settings: CaseSettings): Promise<{ rows: CaseRow[]; rssMb: number }> {
  const sluice = await startSluice({ mode: 'server' });
  try {
    const paths = await sluice.ingestPaths(8);
    const first = paths[0] as string;
    const pid = sluice.server.child.pid;
    const one = await drive(sluice.server.url, { ...settings, ceiling: 15_000, pid }, () => newOrder(first));
    const eight = await drive(sluice.server.url, { ...settings, ceiling: 15_000, pid }, (i) =>
      newOrder(paths[i % paths.length] as string),
    );
    const same = newOrder(first);
    await fetch(`${sluice.server.url}${first}`, { method: 'POST', headers: same.headers, body: same.body });
    const duplicates = await drive(sluice.server.url, { ...settings, ceiling: 1, pid }, () => same);
    return {
      rows: [
        { key: 'server_1conn', name: 'Sluice server mode, 1 connection, new events', result: one },
        { key: 'server_8conn', name: 'Sluice server mode, 8 connections, new events', result: eight },
        { key: 'server_dup', name: 'Sluice server mode, duplicates', result: duplicates },
      ],
      rssMb: peakRssMb(sluice.server.child.pid),
    };
  } finally {
    await sluice.stop();
  }
}

let batchNumber = 0;
const emissionOf = (batch: number, i: number) => ({
  source: 'shopify',
  event_type: 'order.created',
  dedupe_key: `bench:batch:${batch}:${i}`,
  payload: { entity: { kind: 'order', id: `${batch}-${i}` }, total: 19.99, currency: 'USD', i },
});

/** Batch emit (500 emissions per request, 4 connections) against 4 clients' raw 500-row INSERTs. */
export async function batchCases(settings: CaseSettings): Promise<CaseRow[]> {
  const sluice = await startSluice({ mode: 'server' });
  let emitted: LoadResult;
  try {
    const [path] = await sluice.ingestPaths(1);
    const connectionId = (path as string).split('/').at(-1);
    const batchStamp = Date.now();
    emitted = await drive(sluice.server.url, { ...settings, connections: 4, ceiling: 150 }, () => {
      const batch = batchNumber++;
      return {
        path: '/api/v1/events',
        headers: sluice.auth,
        body: JSON.stringify({
          connection_id: connectionId,
          emissions: Array.from({ length: 500 }, (_, i) => emissionOf(batchStamp + batch, i)),
        }),
      };
    });
  } finally {
    await sluice.stop();
  }
  const raw = await rawInsertRowsPerSecond(settings.seconds);
  return [
    {
      key: 'batch_emit',
      name: 'Sluice batch emit, 500 per request (envelopes/s)',
      result: { ...emitted, rps: emitted.rps * 500 },
    },
    { key: 'raw_insert', name: 'raw 500-row INSERT, 4 clients (rows/s)', result: raw },
  ];
}

/** The batch baseline: 4 clients inserting 500 envelope-shaped rows per statement, no dedupe, no outbox. */
async function rawInsertRowsPerSecond(seconds: number): Promise<LoadResult> {
  const schema = `sluice_bench_raw_${process.pid}`;
  const admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
  await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.raw_envelopes (event_id uuid PRIMARY KEY, tenant_id text, connection_id text,
      source text, event_type text, dedupe_key text, received_at timestamptz, payload jsonb)`);
  const client = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 4, schema });
  let rows = 0;
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      const params: unknown[] = [];
      const values: string[] = [];
      const batch = batchNumber++;
      for (let i = 0; i < 500; i++) {
        const base = params.length;
        const e = emissionOf(batch, i);
        params.push(
          crypto.randomUUID(),
          'ten_bench',
          'con_bench',
          e.source,
          e.event_type,
          e.dedupe_key,
          new Date(),
          JSON.stringify(e.payload),
        );
        values.push(`(${Array.from({ length: 8 }, (_, k) => `$${base + k + 1}`).join(', ')})`);
      }
      const started = performance.now();
      await client.query(`INSERT INTO raw_envelopes VALUES ${values.join(', ')}`, params);
      latencies.push(performance.now() - started);
      rows += 500;
    }
  };
  const started = Date.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  const elapsed = (Date.now() - started) / 1000;
  await client.close();
  await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
  await admin.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: rows / elapsed, p50: at(0.5), p99: at(0.99), max: at(1), failed: 0, wraps: 0 };
}

/** The embedded default (PGlite, in-process bus): every stage running, and the receiver alone. */
export async function embeddedCases(settings: CaseSettings): Promise<{ rows: CaseRow[]; rssMb: number }> {
  const rows: CaseRow[] = [];
  let rssMb = Number.NaN;
  for (const [key, name, workers] of [
    ['embedded', 'Sluice embedded (PGlite), every stage', undefined],
    ['embedded_receiver_only', 'Sluice embedded (PGlite), receiver alone', 'receiver'],
  ] as const) {
    const sluice = await startSluice({ mode: 'embedded', ...(workers === undefined ? {} : { workers }) });
    try {
      const [path] = await sluice.ingestPaths(1);
      const result = await drive(
        sluice.server.url,
        { ...settings, ceiling: 10_000, pid: sluice.server.child.pid },
        () => newOrder(path as string),
      );
      rows.push({ key, name, result });
      if (workers === undefined) rssMb = peakRssMb(sluice.server.child.pid);
    } finally {
      await sluice.stop();
    }
  }
  return { rows, rssMb };
}

/** Spawn to the first 2xx of `/healthz`, on an empty data directory (the newcomer's first start). */
export async function coldStartMs(mode: Mode = 'embedded'): Promise<number> {
  const started = performance.now();
  const sluice: SluiceProcess = await startSluice({ mode });
  try {
    for (let tries = 0; tries < 1000; tries++) {
      const response = await fetch(`${sluice.server.url}/healthz`).catch(() => null);
      if (response?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return performance.now() - started;
  } finally {
    await sluice.stop();
  }
}
