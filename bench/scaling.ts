/**
 * `node bench/scaling.ts [--quick]`: server mode on one PostgreSQL, ingest throughput as processes and
 * stages are added: one receiver, two receivers, then a relay + router process, then an executor process
 * delivering every event to a local sink. Each receiver gets its own wrk (32 connections each, 64 in all),
 * over 8 connections' ingest URLs. Prints a table; the numbers go into docs/scaling.md.
 */
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { BENCH_SECONDS } from './config.ts';
import { cpuSeconds, printTable } from './harness.ts';
import { addTrigger, type Sink, startSink } from './pipeline-cases.ts';
import { shopifyOrder, writeRequests } from './signed-requests.ts';
import { SHOPIFY_SECRET, type SluiceProcess, startSluice } from './sluice-process.ts';
import { wrk } from './wrk.ts';

const seconds = process.argv.includes('--quick') ? 3 : BENCH_SECONDS;
let nextId = Date.now() * 10 + 7_000_000_000;

/** Drives every receiver at once, each with its own wrk over the shared connections' ingest paths. */
async function drive(receivers: ReadonlyArray<SluiceProcess>, paths: ReadonlyArray<string>) {
  const files = await Promise.all(
    receivers.map(() =>
      writeRequests(seconds * 12_000, (i) =>
        shopifyOrder(nextId++, SHOPIFY_SECRET, paths[i % paths.length] as string),
      ),
    ),
  );
  const cpuBefore = receivers.map((r) => cpuSeconds(r.server.child.pid));
  const results = await Promise.all(
    receivers.map((r, i) =>
      wrk({ url: r.server.url, requests: files[i] as string, connections: 32, seconds }),
    ),
  );
  await Promise.all(files.map((file) => rm(file)));
  const requests = results.reduce((sum, r) => sum + r.rps * seconds, 0);
  const cpu = receivers.reduce((sum, r, i) => sum + cpuSeconds(r.server.child.pid) - (cpuBefore[i] ?? 0), 0);
  return {
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p99: Math.max(...results.map((r) => r.p99)),
    cpuMsPerReq: (cpu * 1000) / requests,
  };
}

const rows: string[][] = [];
const started = [loadavg()[0] ?? 0];
const first = await startSluice({ mode: 'server', workers: 'receiver' });
const extra: SluiceProcess[] = [];
let sink: Sink | null = null;
try {
  const paths = await first.ingestPaths(8);
  const measure = async (name: string, receivers: ReadonlyArray<SluiceProcess>) => {
    const r = await drive(receivers, paths);
    rows.push([name, Math.round(r.rps).toLocaleString('en-US'), r.p99.toFixed(1), r.cpuMsPerReq.toFixed(3)]);
    process.stdout.write(`  ${name}: ${Math.round(r.rps)} req/s\n`);
  };
  await measure('1 receiver', [first]);
  const second = await startSluice({ mode: 'server', workers: 'receiver', alongside: first });
  extra.push(second);
  await measure('2 receivers', [first, second]);
  extra.push(await startSluice({ mode: 'server', workers: 'relay,router', alongside: first }));
  await measure('2 receivers + relay/router process', [first, second]);
  sink = await startSink();
  await addTrigger(first, sink.url);
  extra.push(await startSluice({ mode: 'server', workers: 'executor', alongside: first }));
  await measure('2 receivers + relay/router + executor (every event delivered)', [first, second]);
} finally {
  for (const worker of extra.reverse()) await worker.stop();
  await first.stop();
  await sink?.close();
}
process.stdout.write(
  `\nServer mode on one PostgreSQL — ${seconds} s per step, load average ${started[0]?.toFixed(1)} → ${loadavg()[0]?.toFixed(1)}\n\n`,
);
printTable(['processes', 'ingest req/s', 'p99 ms', 'receiver CPU ms/req'], rows);
