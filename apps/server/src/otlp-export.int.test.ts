import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DeliveredFlow, runDeliveredFlow } from './testing/delivered-flow.ts';
import { type Collector, startCollector } from './testing/otlp-collector.ts';
import { killHard, type ServerProcess, startServerProcess } from './testing/server-process.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `OTEL_EXPORTER_OTLP_ENDPOINT` set: a server process exports the webhook's trace to the collector. */
describe('OTLP export to a local collector', () => {
  let dir: string;
  let collector: Collector;
  let server: ServerProcess;
  let flow: DeliveredFlow;
  const traceId = randomBytes(16).toString('hex');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-otlp-'));
    collector = await startCollector();
    server = await startServerProcess({
      SLUICE_DATA_DIR: dir,
      SLUICE_DEV: '1',
      SLUICE_SWEEP_INTERVAL_SECONDS: '0',
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'sluice-otlp-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const key = /(slk_[A-Za-z0-9_-]+)/.exec(server.output)?.[1];
    assert.ok(key !== undefined, server.output);
    flow = await runDeliveredFlow(server.url, key, {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });
  });
  after(async () => {
    if (server !== undefined) await killHard(server.child);
    await flow?.target.close();
    await collector.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("posts the trace's spans as OTLP JSON to /v1/traces, under the service name", async () => {
    const stages = ['receive', 'ingest', 'relay', 'route', 'execute', 'POST'];
    const exported = () => collector.spans().filter((span) => span.traceId === traceId);
    for (let i = 0; i < 250; i++) {
      const names = new Set(exported().map((span) => span.name));
      if (stages.every((stage) => names.has(stage))) break;
      await sleep(40);
    }
    assert.deepEqual(new Set(exported().map((span) => span.name)), new Set(stages));
    const first = collector.requests[0];
    assert.equal(first?.path, '/v1/traces');
    assert.match(first?.contentType ?? '', /^application\/json/);
    assert.deepEqual(new Set(exported().map((span) => span.service)), new Set(['sluice-otlp-test']));
    const execute = exported().find((span) => span.name === 'execute');
    const deliver = exported().find((span) => span.name === 'POST');
    assert.equal(deliver?.parentSpanId, execute?.spanId);
    assert.equal(flow.delivery.headers['traceparent'], `00-${traceId}-${deliver?.spanId}-01`);
  });
});
