import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DeliveredFlow, runDeliveredFlow } from './testing/delivered-flow.ts';
import { type Collector, startCollector } from './testing/otlp-collector.ts';
import { openServerModeWorld } from './testing/server-mode-world.ts';
import { killHard, type ServerProcess, startServerProcess } from './testing/server-process.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Server mode split by stage, each process exporting to one collector under its own service name: the
 * webhook's trace still reads receive → ingest (receiver) → relay (relay) → route (router) → execute →
 * POST (executor), each span the child of the one before, its context carried by the outbox row, the
 * Redis Streams message and the job.
 */
describe('one trace across a receiver, a relay, a router and an executor process', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const processes: ServerProcess[] = [];
  let collector: Collector;
  let flow: DeliveredFlow;
  const traceId = randomBytes(16).toString('hex');

  before(async () => {
    collector = await startCollector();
    cleanups.push(() => collector.close());
    const world = await openServerModeWorld('sluice_traces', cleanups);
    const env = {
      ...world.env,
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const start = async (workers: string, extra: Record<string, string> = {}) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'sluice-traces-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const started = await startServerProcess({
        ...env,
        SLUICE_WORKERS: workers,
        SLUICE_DATA_DIR: dataDir,
        OTEL_SERVICE_NAME: `sluice-${workers}`,
        ...extra,
      });
      processes.push(started);
      return started;
    };
    // The receiver first: it migrates the schema the others start on.
    const receiver = await start('receiver', { SLUICE_DEV: '1' });
    for (const workers of ['relay', 'router', 'executor']) await start(workers);
    const key = /(slk_[A-Za-z0-9_-]+)/.exec(receiver.output)?.[1];
    assert.ok(key !== undefined, receiver.output);
    flow = await runDeliveredFlow(receiver.url, key, {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });
  });
  after(async () => {
    for (const started of processes) await killHard(started.child);
    await flow?.target.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('links each stage to the one before, each exported by the process that ran it', async () => {
    const stages = ['receive', 'ingest', 'relay', 'route', 'execute', 'POST'];
    const spans = () => collector.spans().filter((span) => span.traceId === traceId);
    for (let i = 0; i < 250; i++) {
      const names = new Set(spans().map((span) => span.name));
      if (stages.every((stage) => names.has(stage))) break;
      await sleep(40);
    }
    const chain = stages.map((stage) => {
      const found = spans().filter((span) => span.name === stage);
      assert.equal(found.length, 1, `one ${stage} span; got ${spans().map((s) => s.name)}`);
      return found[0] as (typeof found)[number];
    });
    assert.deepEqual(
      chain.map((span) => span.service),
      [
        'sluice-receiver',
        'sluice-receiver',
        'sluice-relay',
        'sluice-router',
        'sluice-executor',
        'sluice-executor',
      ],
    );
    for (let i = 1; i < chain.length; i++) {
      assert.equal(
        chain[i]?.parentSpanId,
        chain[i - 1]?.spanId,
        `${chain[i]?.name} under ${chain[i - 1]?.name}`,
      );
    }
    assert.equal(flow.delivery.headers['traceparent'], `00-${traceId}-${chain[5]?.spanId}-01`);
  });
});
