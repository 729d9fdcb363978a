import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTracing } from './services/tracing.ts';
import { type DeliveredFlow, runDeliveredFlow } from './testing/delivered-flow.ts';
import { type EmbeddedServer, startEmbeddedServer } from './testing/embedded-server.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One webhook through an embedded server with the trace SDK on an in-memory exporter: the sender's
 * `traceparent` becomes the envelope's trace id, each stage is a span of that trace under the one before
 * it, and the outbound delivery carries the trace on in its own `traceparent`.
 */
describe('traces: one webhook in, one delivery out, one trace', () => {
  const exporter = new InMemorySpanExporter();
  const traceId = randomBytes(16).toString('hex');
  const senderSpanId = randomBytes(8).toString('hex');
  let embedded: EmbeddedServer;
  let flow: DeliveredFlow;
  let spans: ReadableSpan[];

  before(async () => {
    embedded = await startEmbeddedServer(
      { SLUICE_ALLOW_PRIVATE_TARGETS: '1' },
      { tracing: startTracing({ exporter, serviceName: 'sluice-test', simple: true }) },
    );
    flow = await runDeliveredFlow(embedded.url, embedded.key, {
      traceparent: `00-${traceId}-${senderSpanId}-01`,
    });
    // The execute span ends once the job's outcome is committed, just after the job reads `succeeded`.
    const named = (name: string) => exporter.getFinishedSpans().some((span) => span.name === name);
    for (let i = 0; i < 100 && !named('execute'); i++) await sleep(20);
    spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  });
  after(async () => {
    await embedded.close();
    await flow?.target.close();
  });

  const one = (name: string): ReadableSpan => {
    const found = spans.filter((span) => span.name === name);
    assert.equal(found.length, 1, `one ${name} span in the trace; spans: ${spans.map((s) => s.name)}`);
    return found[0] as ReadableSpan;
  };

  it("stamps the sender's trace id on the envelope", async () => {
    assert.equal(flow.delivery.envelope.event_id, flow.eventId);
    assert.equal((flow.delivery.envelope as { trace_id?: string }).trace_id, traceId);
  });

  it('records receive → ingest → relay → route → execute → POST, each the child of the one before', () => {
    const receive = one('receive');
    assert.equal(receive.parentSpanContext?.spanId, senderSpanId, 'receive continues the sender');
    const chain = ['receive', 'ingest', 'relay', 'route', 'execute', 'POST'].map(one);
    for (let i = 1; i < chain.length; i++) {
      const [parent, child] = [chain[i - 1] as ReadableSpan, chain[i] as ReadableSpan];
      assert.equal(
        child.parentSpanContext?.spanId,
        parent.spanContext().spanId,
        `${child.name}'s parent is ${parent.name}`,
      );
    }
    assert.equal(one('relay').attributes['sluice.event_id'], flow.eventId);
    assert.equal(one('route').attributes['sluice.jobs'], 1);
    assert.equal(one('execute').attributes['sluice.job_id'], flow.jobId);
    assert.equal(one('execute').attributes['sluice.outcome'], 'succeeded');
    assert.equal(one('POST').attributes['http.response.status_code'], 200);
  });

  it('sends the delivery with a traceparent of that trace, naming the delivery span', () => {
    const deliver = one('POST');
    assert.equal(flow.delivery.headers['traceparent'], `00-${traceId}-${deliver.spanContext().spanId}-01`);
  });

  it("continues a caller's trace on the emit API too", async () => {
    const emitTrace = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const response = await fetch(`${embedded.url}/api/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${embedded.key}`,
        'content-type': 'application/json',
        traceparent: `00-${emitTrace}-${callerSpan}-01`,
      },
      body: JSON.stringify({
        connection_id: flow.connectionId,
        emission: {
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: `shopify:order:${emitTrace}:created`,
          payload: { entity: { kind: 'order', id: emitTrace } },
        },
      }),
    });
    assert.equal(response.status, 200, await response.text());
    const ingest = exporter
      .getFinishedSpans()
      .find((span) => span.name === 'ingest' && span.spanContext().traceId === emitTrace);
    assert.equal(ingest?.parentSpanContext?.spanId, callerSpan);
  });

  it('records nothing of a trace its sender sampled out, and hands that decision on', async () => {
    const unsampled = randomBytes(16).toString('hex');
    const quiet = await runDeliveredFlow(embedded.url, embedded.key, {
      traceparent: `00-${unsampled}-${randomBytes(8).toString('hex')}-00`,
    });
    try {
      assert.equal((quiet.delivery.envelope as { trace_id?: string }).trace_id, unsampled);
      assert.match(
        quiet.delivery.headers['traceparent'] ?? '',
        new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`),
      );
      const recorded = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === unsampled);
      assert.deepEqual(
        recorded.map((span) => span.name),
        [],
      );
    } finally {
      await quiet.target.close();
    }
  });
});
