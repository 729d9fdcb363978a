/**
 * `node bench/embedded.ts [--quick]`: the embedded cases alone (what `npm run bench` measures of the
 * default mode), with where the CPU went: the cold start twice, then webhook ingest with every stage and
 * with the receiver alone, each with its CPU ms per request split between the HTTP thread, PGlite's worker
 * thread and the rest (V8's GC and compiler threads). On two cores the HTTP and PGlite threads run side by
 * side, so the larger bounds the rate: 1,000 / (that many ms) requests a second; the total bounds it at
 * 2,000 / (the total). Prints one JSON line.
 */
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { BENCH_CONNECTIONS, BENCH_SECONDS } from './config.ts';
import { peakRssMb, printTable, threadCpuSeconds } from './harness.ts';
import { coldStartMs } from './ingest-cases.ts';
import { shopifyOrder, writeRequests } from './signed-requests.ts';
import { SHOPIFY_SECRET, startSluice } from './sluice-process.ts';
import { wrk } from './wrk.ts';

const seconds = process.argv.includes('--quick') ? 3 : BENCH_SECONDS;
const figures: Record<string, number> = { load_average_1m_start: loadavg()[0] ?? Number.NaN };
figures['cold_start_ms'] = Math.max(await coldStartMs(), await coldStartMs());

let nextOrderId = Date.now() * 10;
const rows: string[][] = [];
for (const [key, workers] of [
  ['embedded', undefined],
  ['embedded_receiver_only', 'receiver'],
] as const) {
  const sluice = await startSluice({ mode: 'embedded', ...(workers === undefined ? {} : { workers }) });
  try {
    const [path] = await sluice.ingestPaths(1);
    const make = () => shopifyOrder(nextOrderId++, SHOPIFY_SECRET, path as string);
    const warm = await writeRequests(10_000, make);
    await wrk({ url: sluice.server.url, requests: warm, connections: BENCH_CONNECTIONS, seconds: 1 });
    await rm(warm);
    const file = await writeRequests(seconds * 10_000, make);
    const pid = sluice.server.child.pid;
    const before = threadCpuSeconds(pid);
    const result = await wrk({
      url: sluice.server.url,
      requests: file,
      connections: BENCH_CONNECTIONS,
      seconds,
    });
    const after = threadCpuSeconds(pid);
    await rm(file);
    const requests = result.rps * seconds;
    const perRequest = (role: 'main' | 'workers' | 'rest') =>
      ((after[role] - before[role]) * 1000) / requests;
    const [main, database, rest] = [perRequest('main'), perRequest('workers'), perRequest('rest')];
    Object.assign(figures, {
      [`${key}_rps`]: result.rps,
      [`${key}_p50_ms`]: result.p50,
      [`${key}_p99_ms`]: result.p99,
      [`${key}_http_thread_cpu_ms_per_req`]: main,
      [`${key}_pglite_thread_cpu_ms_per_req`]: database,
      [`${key}_other_threads_cpu_ms_per_req`]: rest,
      [`${key}_rss_peak_mb`]: peakRssMb(pid),
    });
    rows.push([
      key,
      Math.round(result.rps).toString(),
      result.p50.toFixed(1),
      result.p99.toFixed(1),
      main.toFixed(3),
      database.toFixed(3),
      rest.toFixed(3),
      Math.round(Math.min(1000 / Math.max(main, database), 2000 / (main + database + rest))).toString(),
      Math.round(peakRssMb(pid)).toString(),
    ]);
  } finally {
    await sluice.stop();
  }
}
figures['load_average_1m_end'] = loadavg()[0] ?? Number.NaN;
process.stdout.write(
  `embedded, ${seconds} s per case, ${BENCH_CONNECTIONS} connections; cold start ${Math.round(figures['cold_start_ms'] ?? 0)} ms; ` +
    `load average ${figures['load_average_1m_start']?.toFixed(1)} → ${figures['load_average_1m_end']?.toFixed(1)}\n\n`,
);
printTable(
  [
    'case',
    'req/s',
    'p50 ms',
    'p99 ms',
    'HTTP thread ms/req',
    'PGlite thread ms/req',
    'other threads ms/req',
    'bound req/s',
    'RSS peak MB',
  ],
  rows,
);
process.stdout.write(`${JSON.stringify({ bench: 'embedded', ...figures })}\n`);
