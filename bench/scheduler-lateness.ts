/**
 * `node bench/scheduler-lateness.ts [--quick]`: 10,000 poll streams across 1,000 tenants, each on its own
 * second of the minute (`S * * * * *`), run by two schedulers over one real store (PostgreSQL when
 * `SLUICE_TEST_DATABASE_URL` answers, else PGlite) with a no-op handler. Lateness is how long after its
 * `next_run_at` a stream started. Prints a table, then one JSON line for a harness to collect.
 */
import { randomBytes } from 'node:crypto';
import type { StreamSchedule } from '@sluice/core';
import { cronOf, type PollPassResult, Scheduler } from '@sluice/receive';
import { createPgliteClient, createPostgresClient, type SqlClient, SqlStores } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { printTable } from './harness.ts';

/** The figures of one run. */
export interface SchedulerLatenessFigures {
  readonly bench: 'scheduler-lateness';
  readonly store: 'postgres' | 'pglite';
  readonly streams: number;
  readonly tenants: number;
  readonly seconds: number;
  readonly runs: number;
  readonly lateness_p50_ms: number;
  readonly lateness_p99_ms: number;
  readonly lateness_max_ms: number;
  /** The bar: p99 lateness at most this. */
  readonly bar_p99_ms: number;
  readonly meets_bar: boolean;
}

const STREAMS = 10_000;
const TENANTS = 1_000;
const BAR_P99_MS = 1_000;

const noop: PollPassResult = {
  status: 'completed',
  pages: 1,
  records: 0,
  emitted: 0,
  duplicates: 0,
  changes: { created: 0, updated: 0, deleted: 0 },
};

async function openClient(): Promise<{
  client: SqlClient;
  kind: 'postgres' | 'pglite';
  drop: () => Promise<void>;
}> {
  const schema = `sluice_bench_${randomBytes(5).toString('hex')}`;
  const admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    await admin.exec(`CREATE SCHEMA ${schema}`);
  } catch {
    await admin.close().catch(() => {});
    const client = await createPgliteClient();
    return { client, kind: 'pglite', drop: () => client.close() };
  }
  const client = createPostgresClient({ connectionString: TEST_DATABASE_URL, schema, max: 20 });
  return {
    client,
    kind: 'postgres',
    async drop() {
      await client.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

const quantile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);

/** Schedules the streams, runs two schedulers for `seconds`, and measures how late each run started. */
export async function runSchedulerLateness(
  options: { quick?: boolean } = {},
): Promise<SchedulerLatenessFigures> {
  const seconds = options.quick === true ? 20 : 65;
  const { client, kind, drop } = await openClient();
  const stores = new SqlStores(client);
  await stores.maintenance.migrate();
  const now = new Date();
  const streams = Array.from({ length: STREAMS }, (_, i) => {
    const schedule = `${i % 60} * * * * *`;
    return {
      tenant_id: `ten_${i % TENANTS}`,
      connection_id: `con_${i % (TENANTS * 2)}`,
      stream: `s${i}`,
      connector_id: 'bench',
      schedule,
      timezone: 'UTC',
      settings: {},
      next_run_at: cronOf(schedule, 'UTC').nextRun(now) ?? now,
    };
  });
  for (let i = 0; i < streams.length; i += 1_000)
    await stores.schedules.upsertStreams(streams.slice(i, i + 1_000));
  // Writing them takes a while: each stream's first run is its slot after a start a little ahead.
  const startMs = Date.now() + 5_000;
  await client.query(
    `UPDATE stream_schedules SET next_run_at = CASE WHEN slot >= $1::timestamptz THEN slot ELSE slot + interval '1 minute' END
     FROM (SELECT connection_id AS c, stream AS s,
             date_trunc('minute', $1::timestamptz) + split_part(schedule, ' ', 1)::int * interval '1 second' AS slot
           FROM stream_schedules) AS first
     WHERE connection_id = first.c AND stream = first.s`,
    [new Date(startMs).toISOString()],
  );
  const lateness: number[] = [];
  let measureFrom = Number.POSITIVE_INFINITY;
  let stopAt = Number.POSITIVE_INFINITY;
  const onRun = (info: { stream: StreamSchedule; lateMs: number }): void => {
    if (Date.parse(info.stream.next_run_at) >= measureFrom && Date.now() < stopAt) lateness.push(info.lateMs);
  };
  const schedulers = [0, 1].map(
    () =>
      new Scheduler({
        store: new SqlStores(client).schedules,
        runner: { run: async () => noop },
        concurrency: 64,
        maxSleepMs: 1_000,
        onRun,
      }),
  );
  measureFrom = startMs;
  stopAt = Math.max(Date.now(), startMs) + seconds * 1000;
  for (const scheduler of schedulers) scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, stopAt - Date.now()));
  await Promise.all(schedulers.map((s) => s.stop()));
  await drop();
  const sorted = [...lateness].sort((a, b) => a - b);
  const p99 = quantile(sorted, 0.99);
  return {
    bench: 'scheduler-lateness',
    store: kind,
    streams: STREAMS,
    tenants: TENANTS,
    seconds,
    runs: sorted.length,
    lateness_p50_ms: quantile(sorted, 0.5),
    lateness_p99_ms: p99,
    lateness_max_ms: sorted.at(-1) ?? Number.NaN,
    bar_p99_ms: BAR_P99_MS,
    meets_bar: p99 <= BAR_P99_MS,
  };
}

/** Prints the figures as a table and one JSON line. */
export function printSchedulerLateness(f: SchedulerLatenessFigures): void {
  process.stdout.write(
    `\nScheduler lateness — ${f.streams} poll streams, ${f.tenants} tenants, ${f.seconds} s, two schedulers, ${f.store}\n\n`,
  );
  printTable(
    ['runs', 'p50 ms', 'p99 ms', 'max ms', `bar (p99 ≤ ${f.bar_p99_ms} ms)`],
    [
      [
        String(f.runs),
        String(f.lateness_p50_ms),
        String(f.lateness_p99_ms),
        String(f.lateness_max_ms),
        f.meets_bar ? 'met' : 'MISSED',
      ],
    ],
  );
  process.stdout.write(`${JSON.stringify(f)}\n`);
}

if (import.meta.main) {
  printSchedulerLateness(await runSchedulerLateness({ quick: process.argv.includes('--quick') }));
}
