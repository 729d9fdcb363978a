/**
 * The cases past ingest: job throughput (no-op http deliveries to a local sink), and end-to-end latency,
 * webhook 2xx → the matching http action received by a local subscriber, at a fixed 1,000 events/s.
 * The fixed rate comes from a paced sender in this process (one request every millisecond, over
 * keep-alive sockets), not from wrk: each request's 2xx time must be paired with its delivery.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuSeconds } from './harness.ts';
import { shopifyOrder } from './signed-requests.ts';
import { type Mode, SHOPIFY_SECRET, type SluiceProcess, startSluice } from './sluice-process.ts';

/** Latency percentiles in ms. */
export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** A local http action target: answers 200 at once and notes when each order's delivery arrived. */
export interface Sink {
  readonly url: string;
  /** order id → arrival time (performance.now()). */
  readonly arrivals: Map<number, number>;
  count: number;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const arrivals = new Map<number, number>();
  const sink: Sink = {
    url: '',
    arrivals,
    count: 0,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      sink.count++;
      try {
        const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          payload?: { order_id?: string | number };
        };
        const id = Number(envelope.payload?.order_id);
        if (Number.isFinite(id) && !arrivals.has(id)) arrivals.set(id, at);
      } catch {
        // Not an envelope: counted, not timed.
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(sink, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export async function addTrigger(sluice: SluiceProcess, url: string): Promise<void> {
  await sluice.api('POST', '/api/v1/triggers', {
    name: 'bench: orders to the local sink',
    event_types: ['order.*'],
    action: { type: 'http', url },
    retry: { max_attempts: 3, initial_delay_ms: 100, max_delay_ms: 500 },
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until the sink has seen `count` deliveries. */
async function awaitDeliveries(sink: Sink, count: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (sink.count < count && Date.now() < until) await sleep(20);
}

export interface JobFigures {
  readonly jobsPerSecond: number;
  readonly delivered: number;
  /** CPU time the executor process spent per job, ms (a figure the machine's other load barely moves). */
  readonly cpuMsPerJob: number;
}

/**
 * Job throughput in server mode: 10,000 events (20 batches of 500) emitted to a process without an
 * executor, each matching one trigger with an http action to the local sink; once every job is queued, an
 * executor-only process starts on the same database, and the rate is the sink's, from its first delivery
 * to its last. So the figure is the executor's (claims, runs, finishes with their receipts), not the
 * ingest's, while the first process relays and routes the receipts the finishes write.
 */
export async function jobThroughput(options: {
  quick: boolean;
  /** Added to the executor process's environment (a profiler's `NODE_OPTIONS`). */
  executorEnv?: Readonly<Record<string, string>>;
}): Promise<JobFigures> {
  const total = options.quick ? 4_000 : 10_000;
  const sink = await startSink();
  const sluice = await startSluice({ mode: 'server', workers: 'receiver,relay,router' });
  try {
    await addTrigger(sluice, sink.url);
    const [path] = await sluice.ingestPaths(1);
    const connectionId = (path as string).split('/').at(-1);
    const stamp = Date.now();
    for (let batch = 0; batch < total / 500; batch++) {
      await sluice.api('POST', '/api/v1/events', {
        connection_id: connectionId,
        emissions: Array.from({ length: 500 }, (_, i) => ({
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: `bench:jobs:${stamp}:${batch}:${i}`,
          payload: { entity: { kind: 'order', id: `${batch}-${i}` }, order_id: batch * 500 + i },
        })),
      });
    }
    await awaitQueued(sluice, total, 120_000);
    const executor = await sluice.startWorkers('executor', options.executorEnv);
    const cpuBefore = cpuSeconds(executor.child.pid);
    await awaitDeliveries(sink, total, 120_000);
    const cpuMsPerJob = ((cpuSeconds(executor.child.pid) - cpuBefore) * 1000) / sink.count;
    const times = [...sink.arrivals.values()];
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    return { jobsPerSecond: (times.length - 1) / seconds, delivered: sink.count, cpuMsPerJob };
  } finally {
    await sluice.stop();
    await sink.close();
  }
}

/** Waits (bounded) until the router has queued `count` jobs. */
async function awaitQueued(sluice: SluiceProcess, count: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [row] = (await sluice.db?.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`)) ?? [];
    if ((row?.n ?? 0) >= count) return;
    await sleep(200);
  }
  throw new Error(`the router queued fewer than ${count} jobs in ${timeoutMs} ms`);
}

export interface EndToEndFigures extends Percentiles {
  /** Deliveries that did not arrive within the wait. */
  readonly missing: number;
  readonly sent: number;
  /** The rate the sender kept, events/s. */
  readonly rate: number;
  /** Server mode: job pickup (first attempt's start − job creation) percentiles, from the store. */
  readonly pickup: Percentiles | null;
}

/** Webhook 2xx → matching http action received, at a fixed 1,000 events/s for `seconds`. */
export async function endToEnd(mode: Mode, seconds: number): Promise<EndToEndFigures> {
  const sink = await startSink();
  const sluice = await startSluice({ mode });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    await addTrigger(sluice, sink.url);
    const [path] = await sluice.ingestPaths(1);
    const target = new URL(sluice.server.url);
    const base = Date.now() * 10;
    const count = seconds * 1000;
    const requests = Array.from({ length: count }, (_, i) => shopifyOrder(base + i, SHOPIFY_SECRET, path));
    const acked = new Map<number, number>();
    let failed = 0;
    const send = (i: number) => {
      const r = requests[i];
      if (r === undefined) return;
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: r.path,
          headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== undefined && res.statusCode < 300) acked.set(base + i, performance.now());
            else failed++;
          });
        },
      );
      req.on('error', () => failed++);
      req.end(r.body);
    };
    // Paced: at each tick, send every request whose scheduled time (i ms after the start) has come.
    const started = performance.now();
    let next = 0;
    while (next < count) {
      const due = Math.min(count, Math.floor(performance.now() - started) + 1);
      while (next < due) send(next++);
      await sleep(1);
    }
    const rate = count / ((performance.now() - started) / 1000);
    await awaitDeliveries(sink, count - failed, 30_000);
    const latencies: number[] = [];
    for (const [id, at] of acked) {
      const arrived = sink.arrivals.get(id);
      if (arrived !== undefined) latencies.push(arrived - at);
    }
    const pickup = sluice.db === null ? null : await pickupPercentiles(sluice);
    return { ...percentiles(latencies), missing: count - latencies.length, sent: count, rate, pickup };
  } finally {
    agent.destroy();
    await sluice.stop();
    await sink.close();
  }
}

async function pickupPercentiles(sluice: SluiceProcess): Promise<Percentiles> {
  const rows = (await sluice.db?.query<{ ms: number }>(
    `SELECT extract(epoch FROM (a.started_at - j.created_at)) * 1000 AS ms
       FROM jobs j JOIN job_attempts a ON a.job_id = j.id AND a.n = 1`,
  )) as ReadonlyArray<{ ms: number }>;
  return percentiles(rows.map((row) => Number(row.ms)));
}
