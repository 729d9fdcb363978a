/**
 * `node bench/profile-ingest.ts [one|eight|dup|batch|embedded] [seconds] [-- node flags…]`: one ingest case
 * against a Sluice process started with the given node flags (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`),
 * printing req/s, latency, the server's CPU ms per request and its peak RSS. For profiles, not the table.
 */
import { rm } from 'node:fs/promises';
import { cpuSeconds, peakRssMb, rssMb } from './harness.ts';
import { shopifyOrder, writeRequests } from './signed-requests.ts';
import { SHOPIFY_SECRET, startSluice } from './sluice-process.ts';
import { wrk } from './wrk.ts';

const [kind = 'one', secondsText = '8'] = process.argv.slice(2);
const dash = process.argv.indexOf('--');
const nodeFlags = dash === -1 ? [] : process.argv.slice(dash + 1);
const seconds = Number(secondsText);
const sluice = await startSluice({
  mode: kind === 'embedded' ? 'embedded' : 'server',
  env: nodeFlags.length === 0 ? {} : { NODE_OPTIONS: nodeFlags.join(' ') },
});
let orderId = Date.now() * 10;
const rssAtStartMb = rssMb(sluice.server.child.pid);
try {
  const paths = await sluice.ingestPaths(kind === 'eight' ? 8 : 1);
  const first = paths[0] as string;
  const connectionId = first.split('/').at(-1);
  const same = shopifyOrder(orderId++, SHOPIFY_SECRET, first);
  let batch = 0;
  const emit = () => {
    batch++;
    return {
      path: '/api/v1/events',
      headers: sluice.auth,
      body: JSON.stringify({
        connection_id: connectionId,
        emissions: Array.from({ length: 500 }, (_, i) => ({
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: `bench:profile:${orderId}:${batch}:${i}`,
          payload: { entity: { kind: 'order', id: `${batch}-${i}` }, total: 19.99, currency: 'USD', i },
        })),
      }),
    };
  };
  const make =
    kind === 'dup'
      ? () => same
      : kind === 'batch'
        ? emit
        : (i: number) => shopifyOrder(orderId++, SHOPIFY_SECRET, paths[i % paths.length] as string);
  const connections = kind === 'batch' ? 4 : 64;
  const ceiling = kind === 'batch' ? 150 : kind === 'dup' ? 1 : kind === 'embedded' ? 10_000 : 15_000;
  const warm = await writeRequests(Math.max(1, ceiling), make);
  await wrk({ url: sluice.server.url, requests: warm, connections, seconds: 1 });
  await rm(warm);
  const file = await writeRequests(Math.max(1, seconds * ceiling), make);
  const pid = sluice.server.child.pid;
  const before = cpuSeconds(pid);
  const result = await wrk({ url: sluice.server.url, requests: file, connections, seconds });
  const cpu = cpuSeconds(pid) - before;
  await rm(file);
  const per = kind === 'batch' ? 500 : 1;
  process.stdout.write(
    `${JSON.stringify({
      kind,
      rate: Math.round(result.rps * per),
      p50: result.p50,
      p99: result.p99,
      failed: result.failed,
      wraps: result.wraps,
      cpuMsPerRequest: Number(((cpu * 1000) / (result.rps * seconds)).toFixed(3)),
      rssAtStartMb,
      peakRssMb: peakRssMb(pid),
    })}\n`,
  );
} finally {
  await sluice.stop();
}
