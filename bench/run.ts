/**
 * `npm run bench`: the ingest path against baselines measured in the same run, on this machine.
 * Needs PostgreSQL and Redis on loopback (as the tests do). BENCH_SECONDS and BENCH_CONNECTIONS tune it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresClient } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { BENCH_CONNECTIONS, BENCH_SECONDS } from './config.ts';
import { type LoadResult, load, printTable, startServer } from './harness.ts';
import { printSchedulerLateness, runSchedulerLateness } from './scheduler-lateness.ts';

const SECONDS = BENCH_SECONDS;
const CONNECTIONS = BENCH_CONNECTIONS;
const SECRET = 'bench-shopify-secret';
const MAIN = new URL('../apps/server/src/main.ts', import.meta.url).pathname;
const here = (file: string) => new URL(file, import.meta.url).pathname;

let orderId = 1;
const shopifyOrder = (id: number) => {
  const body = JSON.stringify({
    id,
    name: `#${id}`,
    total_price: '19.99',
    currency: 'USD',
    email: 'buyer@example.com',
    created_at: '2026-06-11T09:00:00-04:00',
    updated_at: '2026-06-11T09:00:00-04:00',
    line_items: [{ id: id * 10, title: 'Widget', quantity: 1, price: '19.99' }],
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
    },
  };
};
const newOrder = () => shopifyOrder(orderId++);
const sameOrder = shopifyOrder(0);

const ms = (value: number) => value.toFixed(1);
const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

async function webhookScenarios(): Promise<Array<{ name: string; result: LoadResult }>> {
  const rows: Array<{ name: string; result: LoadResult }> = [];
  const loadAt = (
    url: string,
    path: string,
    request: () => { body: string; headers: Record<string, string> },
  ) => load({ url, path, connections: CONNECTIONS, seconds: SECONDS, request });

  const bare = await startServer(here('./servers/bare-http.ts'));
  rows.push({
    name: 'bare node:http (no verify, nothing kept)',
    result: await loadAt(bare.url, '/', newOrder),
  });
  await bare.stop();

  const baseline = await startServer(here('./servers/fastify-hmac-bullmq.ts'), { BENCH_SECRET: SECRET });
  rows.push({
    name: 'Fastify + HMAC + BullMQ queue.add',
    result: await loadAt(baseline.url, '/webhooks/orders', newOrder),
  });
  await baseline.stop();

  const schema = `sluice_bench_${randomBytes(4).toString('hex')}`;
  const admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  const sluice = await startServer(MAIN, {
    SLUICE_PORT: '0',
    SLUICE_DATABASE_URL: url.toString(),
    SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
    SLUICE_DEV: '1',
    SLUICE_DATA_DIR: dataDir,
    SLUICE_LOG_LEVEL: 'warn',
    SLUICE_CONNECTION_RATE: '10000000',
    SLUICE_CONNECTION_BURST: '10000000',
  });
  try {
    const key = /(slk_[A-Za-z0-9_-]+)/.exec(sluice.output())?.[1];
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await fetch(`${sluice.url}/api/v1/connections`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ connector_id: 'commerce-orders', secret: SECRET }),
    });
    const connectionId = ((await created.json()) as { connection: { id: string } }).connection.id;
    const ingestPath = `/api/v1/ingest/${connectionId}`;
    rows.push({
      name: 'Sluice webhook, server mode (new events)',
      result: await loadAt(sluice.url, ingestPath, newOrder),
    });
    await fetch(`${sluice.url}${ingestPath}`, { method: 'POST', ...sameOrder });
    rows.push({
      name: 'Sluice webhook, server mode (duplicates)',
      result: await loadAt(sluice.url, ingestPath, () => sameOrder),
    });

    let batch = 0;
    const emit = () => ({
      headers: auth,
      body: JSON.stringify({
        connection_id: connectionId,
        emissions: Array.from({ length: 500 }, (_, i) => ({
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: `bench:batch:${batch}:${i}`,
          payload: { entity: { kind: 'order', id: `${batch}-${i}` }, total: 19.99, currency: 'USD', i },
        })),
      }),
    });
    const emitted = await load({
      url: sluice.url,
      path: '/api/v1/events',
      connections: 4,
      seconds: SECONDS,
      request: () => {
        batch++;
        return emit();
      },
    });
    const raw = await rawInsertRowsPerSecond(admin, schema);
    return [
      ...rows,
      {
        name: 'Sluice batch emit, 500 per request (envelopes/s)',
        result: { ...emitted, rps: emitted.rps * 500 },
      },
      { name: 'raw multi-row INSERT, 500 per statement (rows/s)', result: raw },
    ];
  } finally {
    await sluice.stop();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Baseline for batch emit: 4 clients inserting 500 envelope-shaped rows per statement, no dedupe, no outbox. */
async function rawInsertRowsPerSecond(
  admin: ReturnType<typeof createPostgresClient>,
  schema: string,
): Promise<LoadResult> {
  await admin.exec(`CREATE TABLE ${schema}.raw_envelopes (
    event_id uuid PRIMARY KEY, tenant_id text, connection_id text, source text, event_type text,
    dedupe_key text, received_at timestamptz, payload jsonb)`);
  const client = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 4, schema });
  let rows = 0;
  const until = Date.now() + SECONDS * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      const params: unknown[] = [];
      const values: string[] = [];
      for (let i = 0; i < 500; i++) {
        const base = params.length;
        params.push(
          crypto.randomUUID(),
          'ten_bench',
          'con_bench',
          'shopify',
          'order.created',
          `raw:${rows}:${i}:${Math.random()}`,
          new Date(),
          JSON.stringify({ entity: { kind: 'order', id: String(i) }, total: 19.99, currency: 'USD', i }),
        );
        values.push(`(${Array.from({ length: 8 }, (_, k) => `$${base + k + 1}`).join(', ')})`);
      }
      await client.query(`INSERT INTO raw_envelopes VALUES ${values.join(', ')}`, params);
      rows += 500;
    }
  };
  const started = Date.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  await client.close();
  return {
    rps: rows / ((Date.now() - started) / 1000),
    p50: Number.NaN,
    p99: Number.NaN,
    non2xx: 0,
    errors: 0,
  };
}

/** Embedded default: spawn to first 2xx of /healthz, on an empty data directory. */
async function coldStartMs(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-cold-'));
  const started = performance.now();
  const server = await startServer(MAIN, {
    SLUICE_PORT: '0',
    SLUICE_DATA_DIR: dataDir,
    SLUICE_LOG_LEVEL: 'warn',
  });
  for (;;) {
    const response = await fetch(`${server.url}/healthz`).catch(() => null);
    if (response?.ok) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const elapsed = performance.now() - started;
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
  return elapsed;
}

const cold = await coldStartMs();
const rows = await webhookScenarios();
const bare = rows[0]?.result.rps ?? Number.NaN;
const baseline = rows[1]?.result.rps ?? Number.NaN;
const rawInsert = rows.at(-1)?.result.rps ?? Number.NaN;

process.stdout.write(`\nSluice ingest benchmark — ${SECONDS} s per scenario, ${CONNECTIONS} connections\n\n`);
printTable(
  ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'vs bare', 'vs Fastify+HMAC+BullMQ'],
  rows.map(({ name, result }) => [
    name,
    fmt(result.rps),
    Number.isNaN(result.p50) ? '-' : ms(result.p50),
    Number.isNaN(result.p99) ? '-' : ms(result.p99),
    String(result.non2xx + result.errors),
    name.includes('(envelopes/s)') || name.startsWith('raw') ? '-' : ratio(result.rps, bare),
    name.includes('(envelopes/s)') || name.startsWith('raw') ? '-' : ratio(result.rps, baseline),
  ]),
);
const batch = rows.at(-2)?.result.rps ?? Number.NaN;
process.stdout.write(`\nbatch emit / raw multi-row INSERT: ${ratio(batch, rawInsert)} (target ≥ 0.80x)\n`);
process.stdout.write(`embedded cold start to first 2xx: ${fmt(cold)} ms (target ≤ 3000 ms)\n`);

// Poll streams: 10,000 across 1,000 tenants, lateness against next_run_at.
printSchedulerLateness(await runSchedulerLateness({ quick: process.argv.includes('--quick') }));
