import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type DeliveredFlow, runDeliveredFlow } from './testing/delivered-flow.ts';
import { type EmbeddedServer, startEmbeddedServer } from './testing/embedded-server.ts';
import { orderBody, shopifyHeaders } from './testing/shopify-deliveries.ts';

/** The value of the sample of `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * /metrics after a real run on an embedded server: a delivered webhook, a duplicate, a forged one, a
 * dead letter, a job left waiting for its retry, and a poll stream run on demand.
 */
describe('/metrics after a real flow', () => {
  let embedded: EmbeddedServer;
  let flow: DeliveredFlow;
  let tenantId: string;
  let pollConnection: string;
  let records: http.Server;
  let text = '';

  const scrape = async () => (await fetch(`${embedded.url}/metrics`)).text();

  before(async () => {
    records = http.createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"a"}]}'),
    );
    await new Promise<void>((resolve) => records.listen(0, '127.0.0.1', resolve));
    embedded = await startEmbeddedServer({
      SLUICE_DEAD_LETTER_CHECK_SECONDS: '1',
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
    });
    const { url, key } = embedded;
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    tenantId = (
      (await (await fetch(`${url}/api/v1/tenant`, { headers: auth })).json()) as {
        tenant: { id: string };
      }
    ).tenant.id;
    flow = await runDeliveredFlow(url, key);
    // A second trigger whose target refuses connections: the next order's job of it waits a minute.
    const waiting = await post('/api/v1/triggers', {
      name: 'nobody listens',
      event_types: ['order.*'],
      action: { type: 'http', url: 'http://127.0.0.1:1/nobody' },
      retry: { max_attempts: 3, initial_delay_ms: 60_000, max_delay_ms: 60_000 },
    });
    assert.equal(waiting.status, 201, await waiting.text());
    const ingest = (body: string, headers: Record<string, string>) =>
      fetch(`${url}/api/v1/ingest/${flow.connectionId}`, { method: 'POST', headers, body });
    // The same order again, signed anew: a duplicate of its dedupe key.
    const order = flow.delivery.envelope.payload['entity'] as { id: string };
    const again = orderBody({ id: Number(order.id) });
    assert.equal((await ingest(again, shopifyHeaders(again, flow.connectionSecret))).status, 200);
    const next = orderBody();
    assert.equal((await ingest(next, shopifyHeaders(next, flow.connectionSecret))).status, 200);
    const forged = orderBody();
    assert.equal((await ingest(forged, shopifyHeaders(forged, 'not-the-secret'))).status, 401);
    const unknown = orderBody();
    const kept = await ingest(unknown, shopifyHeaders(unknown, flow.connectionSecret, 'orders/teleported'));
    assert.equal(kept.status, 202, await kept.text());
    const poll = await post('/api/v1/connections', {
      connector_id: 'http-poll',
      config: {
        url: `http://127.0.0.1:${(records.address() as AddressInfo).port}/items.json`,
        records_path: 'data',
        id_field: 'id',
        mode: 'snapshot',
        streams: { snapshot: { schedule: '0 0 1 1 *' } },
      },
    });
    const pollBody = (await poll.json()) as { connection: { id: string } };
    assert.equal(poll.status, 201, JSON.stringify(pollBody));
    pollConnection = pollBody.connection.id;
    const run = await post(`/api/v1/connections/${pollConnection}/streams/snapshot/run`, {});
    assert.ok(run.status < 300, await run.text());
    // Bounded: the dead-letter watch (every second), the waiting job and the poll run show up in turn.
    for (let i = 0; i < 100; i++) {
      text = await scrape();
      const ready =
        sample(text, 'sluice_dead_letter_depth', { tenant_id: tenantId, kind: 'ingest' }) === 1 &&
        (sample(text, 'sluice_jobs_queued', { tenant: tenantId, priority: 'P2' }) ?? 0) >= 1 &&
        sample(text, 'sluice_poll_lag_seconds_count', { connector: 'http-poll' }) !== undefined;
      if (ready) break;
      await sleep(100);
    }
  });
  after(async () => {
    await embedded.close();
    await flow?.target.close();
    records.closeAllConnections();
    records.close();
  });

  it('counts envelopes and duplicates per connection', () => {
    const of = (outcome: string) =>
      sample(text, 'sluice_ingest_envelopes_total', { connection_id: flow.connectionId, outcome });
    assert.equal(of('accepted'), 2);
    assert.equal(of('duplicate'), 1);
  });

  it('counts request outcomes by route, status and code', () => {
    const route = '/api/v1/ingest/:connection_id';
    const of = (status: string, code: string) =>
      sample(text, 'sluice_http_requests_total', { route, method: 'POST', status, code });
    assert.equal(of('200', 'ok'), 3);
    assert.equal(of('401', 'signature_invalid'), 1);
    assert.equal(of('202', 'dead_lettered'), 1);
  });

  it('has a latency histogram for each stage of the walk', () => {
    for (const stage of ['receive_to_commit', 'commit_to_relayed', 'relayed_to_job', 'job_to_done']) {
      const count = sample(text, 'sluice_stage_latency_seconds_count', { stage }) ?? 0;
      assert.ok(count >= 1, `${stage} observed (${count})`);
      assert.ok((sample(text, 'sluice_stage_latency_seconds_bucket', { stage, le: '+Inf' }) ?? 0) >= count);
    }
    assert.equal(sample(text, 'sluice_stage_latency_seconds_count', { stage: 'receive_to_commit' }), 3);
  });

  it('shows queue depth by tenant and priority, dead-letter depth, poll lag and relay lag', () => {
    assert.ok((sample(text, 'sluice_jobs_queued', { tenant: tenantId, priority: 'P2' }) ?? 0) >= 1);
    assert.equal(sample(text, 'sluice_dead_letter_depth', { tenant_id: tenantId, kind: 'ingest' }), 1);
    assert.ok((sample(text, 'sluice_poll_lag_seconds_count', { connector: 'http-poll' }) ?? 0) >= 1);
    assert.ok((sample(text, 'sluice_relay_lag_seconds_count') ?? 0) >= 1);
  });

  it('keeps the process metrics under their standard names and no event id in any label', () => {
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.notEqual(sample(text, name), undefined, name);
    }
    assert.equal(text.includes(flow.eventId), false);
  });
});
