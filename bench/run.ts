/**
 * `npm run bench [-- --quick] [-- --soak] [-- --pipeline]`: every case against baselines measured in the
 * same run, on this machine (`--pipeline`: only the router, jobs and end-to-end cases, written to
 * `bench/results-pipeline.json`). HTTP load comes from wrk (C, one thread) with pre-signed requests. Needs
 * PostgreSQL and Redis on loopback (as the tests do). Prints a table and the bars, and writes
 * `bench/results.json`. BENCH_SECONDS and BENCH_CONNECTIONS tune it; `--quick` runs ~3 s cases.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { BENCH_CONNECTIONS, BENCH_SECONDS } from './config.ts';
import { printTable } from './harness.ts';
import {
  baselineCases,
  batchCases,
  type CaseRow,
  coldStartMs,
  embeddedCases,
  serverIngestCases,
} from './ingest-cases.ts';
import { endToEnd, jobThroughput } from './pipeline-cases.ts';
import { runRouterMatch } from './router-match.ts';
import { soak } from './soak.ts';
import { ensureWrk } from './wrk.ts';

const quick = process.argv.includes('--quick');
const withSoak = process.argv.includes('--soak');
const pipelineOnly = process.argv.includes('--pipeline');
const settings = { seconds: quick ? 3 : BENCH_SECONDS, connections: BENCH_CONNECTIONS };
const results: Record<string, number> = {};
const began = performance.now();
const step = (name: string) =>
  process.stdout.write(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${name}\n`);

ensureWrk();
results['load_average_1m_start'] = loadavg()[0] ?? Number.NaN;

const rows: CaseRow[] = [];
if (!pipelineOnly) {
  step('cold start (embedded)');
  const colds = [await coldStartMs(), await coldStartMs()];
  results['embedded_cold_start_ms'] = Math.max(...colds);

  step('baselines: bare node:http, peer');
  rows.push(...(await baselineCases(settings)));
  step('server mode: 1 connection, 8 connections, duplicates');
  const server = await serverIngestCases(settings);
  rows.push(...server.rows);
  results['server_rss_peak_mb'] = server.rssMb;
  step('batch emit, raw INSERT');
  rows.push(...(await batchCases(settings)));
  step('embedded');
  const embedded = await embeddedCases(settings);
  rows.push(...embedded.rows);
  results['embedded_rss_peak_mb'] = embedded.rssMb;
}

for (const { key, result } of rows) {
  results[`${key}_rps`] = result.rps;
  results[`${key}_p50_ms`] = result.p50;
  results[`${key}_p99_ms`] = result.p99;
  results[`${key}_failed`] = result.failed;
  results[`${key}_wraps`] = result.wraps;
  if (result.cpuMsPerRequest !== undefined) results[`${key}_cpu_ms_per_req`] = result.cpuMsPerRequest;
}
const rps = (key: string) => results[`${key}_rps`] ?? Number.NaN;
results['server_1conn_vs_peer'] = rps('server_1conn') / rps('peer');
results['server_8conn_vs_1conn'] = rps('server_8conn') / rps('server_1conn');
results['server_dup_vs_new'] = rps('server_dup') / rps('server_1conn');
results['batch_emit_vs_raw_insert'] = rps('batch_emit') / rps('raw_insert');

step('router: 10k triggers');
const [indexed] = runRouterMatch({ quick });
results['router_events_per_s'] = indexed?.events_per_s ?? Number.NaN;

step('jobs: throughput to a local sink');
const jobs = await jobThroughput({ quick });
results['jobs_per_s'] = jobs.jobsPerSecond;
results['jobs_cpu_ms_per_job'] = jobs.cpuMsPerJob;

for (const mode of ['server', 'embedded'] as const) {
  step(`end to end at 1,000/s (${mode})`);
  const e2e = await endToEnd(mode, settings.seconds);
  results[`e2e_${mode}_p50_ms`] = e2e.p50;
  results[`e2e_${mode}_p99_ms`] = e2e.p99;
  results[`e2e_${mode}_missing`] = e2e.missing;
  results[`e2e_${mode}_rate`] = e2e.rate;
  if (e2e.pickup !== null) {
    results['job_pickup_p50_ms'] = e2e.pickup.p50;
    results['job_pickup_p99_ms'] = e2e.pickup.p99;
  }
}

if (withSoak) {
  const rate = Math.round(rps('server_1conn') / 2);
  step(`soak: 5 minutes at ${rate} req/s (half of the 1-connection rate)`);
  const figures = await soak({ rate, windows: quick ? 3 : 10, windowSeconds: quick ? 5 : 30 });
  results['soak_rate'] = figures.rate;
  results['soak_rss_drift_pct'] = figures.rssDriftPct;
  results['soak_p99_drift_pct'] = figures.p99DriftPct;
  results['soak_p99_last_ms'] = figures.windows.at(-1)?.p99 ?? Number.NaN;
  results['soak_rss_last_mb'] = figures.windows.at(-1)?.rssMb ?? Number.NaN;
}
results['load_average_1m_end'] = loadavg()[0] ?? Number.NaN;
results['run_seconds'] = (performance.now() - began) / 1000;

const fmt = (value: number) => (Number.isNaN(value) ? '-' : Math.round(value).toLocaleString('en-US'));
const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');
process.stdout.write(
  `\nSluice benchmark — ${settings.seconds} s per case, ${settings.connections} HTTP connections, wrk -t1; ` +
    `load average ${results['load_average_1m_start']?.toFixed(1)} → ${results['load_average_1m_end']?.toFixed(1)}\n\n`,
);
printTable(
  ['case', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'failed', 'vs bare', 'vs peer'],
  rows.map(({ key, name, result }) => {
    const http = key !== 'batch_emit' && key !== 'raw_insert';
    return [
      name,
      fmt(result.rps),
      ms(result.p50),
      ms(result.p99),
      result.cpuMsPerRequest === undefined ? '-' : result.cpuMsPerRequest.toFixed(3),
      `${result.failed}${result.wraps > 0 && key !== 'server_dup' ? ` (${result.wraps} wraps)` : ''}`,
      http ? x(result.rps / rps('bare')) : '-',
      http ? x(result.rps / rps('peer')) : '-',
    ];
  }),
);

/** Each bar of the design, its figure from this run, and whether it holds. */
const num = (key: string) => results[key] ?? Number.NaN;
const bars: Array<[string, string, boolean]> = [
  [
    'server ingest, 1 connection / peer ≥ 0.6',
    x(num('server_1conn_vs_peer')),
    num('server_1conn_vs_peer') >= 0.6,
  ],
  ['server ingest p99 ≤ 25 ms', `${ms(num('server_1conn_p99_ms'))} ms`, num('server_1conn_p99_ms') <= 25],
  ['8 connections / 1 connection ≥ 1.0', x(num('server_8conn_vs_1conn')), num('server_8conn_vs_1conn') >= 1],
  ['duplicates / new ≥ 1.5', x(num('server_dup_vs_new')), num('server_dup_vs_new') >= 1.5],
  [
    'batch emit / raw INSERT ≥ 0.8',
    x(num('batch_emit_vs_raw_insert')),
    num('batch_emit_vs_raw_insert') >= 0.8,
  ],
  ['embedded ingest ≥ 5,000 req/s', fmt(rps('embedded')), rps('embedded') >= 5000],
  ['embedded p99 ≤ 50 ms', `${ms(num('embedded_p99_ms'))} ms`, num('embedded_p99_ms') <= 50],
  [
    'embedded cold start ≤ 1,500 ms',
    `${fmt(num('embedded_cold_start_ms'))} ms`,
    num('embedded_cold_start_ms') <= 1500,
  ],
  ['RSS peak, server ≤ 200 MB', `${fmt(num('server_rss_peak_mb'))} MB`, num('server_rss_peak_mb') <= 200],
  [
    'RSS peak, embedded ≤ 300 MB',
    `${fmt(num('embedded_rss_peak_mb'))} MB`,
    num('embedded_rss_peak_mb') <= 300,
  ],
  [
    'router, 10k triggers ≥ 250,000 events/s',
    fmt(num('router_events_per_s')),
    num('router_events_per_s') >= 250_000,
  ],
  ['jobs ≥ 2,000/s', fmt(num('jobs_per_s')), num('jobs_per_s') >= 2000],
  ['job pickup p99 ≤ 20 ms', `${ms(num('job_pickup_p99_ms'))} ms`, num('job_pickup_p99_ms') <= 20],
  ['end to end, server: p50 ≤ 10 ms', `${ms(num('e2e_server_p50_ms'))} ms`, num('e2e_server_p50_ms') <= 10],
  ['end to end, server: p99 ≤ 50 ms', `${ms(num('e2e_server_p99_ms'))} ms`, num('e2e_server_p99_ms') <= 50],
  [
    'end to end, embedded: p50 ≤ 5 ms',
    `${ms(num('e2e_embedded_p50_ms'))} ms`,
    num('e2e_embedded_p50_ms') <= 5,
  ],
  [
    'end to end, embedded: p99 ≤ 25 ms',
    `${ms(num('e2e_embedded_p99_ms'))} ms`,
    num('e2e_embedded_p99_ms') <= 25,
  ],
];
if (withSoak) {
  bars.push(
    [
      'soak: RSS drift within ±10 %',
      `${ms(num('soak_rss_drift_pct'))} %`,
      Math.abs(num('soak_rss_drift_pct')) <= 10,
    ],
    [
      'soak: p99 drift within ±10 %',
      `${ms(num('soak_p99_drift_pct'))} %`,
      Math.abs(num('soak_p99_drift_pct')) <= 10,
    ],
  );
}
process.stdout.write('\n');
printTable(
  ['bar', 'this run', 'met'],
  bars.map(([bar, value, ok]) => [bar, value, ok ? 'yes' : 'NO']),
);
results['bars_met'] = bars.filter(([, , ok]) => ok).length;
results['bars_total'] = bars.length;

const rounded = Object.fromEntries(
  Object.entries(results).map(([key, value]) => [
    key,
    Number.isFinite(value) ? Number(value.toFixed(3)) : null,
  ]),
);
// A partial run does not overwrite the full run's figures.
const written = pipelineOnly ? 'results-pipeline.json' : 'results.json';
writeFileSync(new URL(`./${written}`, import.meta.url), `${JSON.stringify(rounded, null, 2)}\n`);
process.stdout.write(`\nwrote bench/${written} (${fmt(num('run_seconds'))} s)\n`);
