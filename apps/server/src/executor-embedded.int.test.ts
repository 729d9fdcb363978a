import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from './server.ts';
import { type EmbeddedServer, startEmbeddedServer } from './testing/embedded-server.ts';
import { startWebhookTarget, type WebhookTarget } from './testing/webhook-target.ts';

interface JobBody {
  id: string;
  status: string;
  trigger_id: string;
  idempotency_key?: string;
  attempts: Array<{ status_code: number | null; latency_ms: number | null; error: string | null }>;
}
interface EventBody {
  event_id: string;
  causation_id: string | null;
  payload: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The README's "Deliver to a local receiver", in one embedded process: a trigger with an http action,
 * an emitted event, a delivery the `standardwebhooks` package verifies, the job's attempts over the API,
 * and the receipts as platform events.
 */
describe('embedded server: a trigger delivers to a local receiver', () => {
  let embedded: EmbeddedServer;
  let server: RunningServer;
  let target: WebhookTarget;
  let auth: Record<string, string>;
  let connection: string;
  let secret: string;

  const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: auth,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  before(async () => {
    embedded = await startEmbeddedServer();
    server = embedded.server;
    const { key } = embedded;
    auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await api<{ connection: { id: string } }>('POST', '/api/v1/connections', {
      connector_id: 'commerce-orders',
      secret: 'embedded-secret',
    });
    assert.equal(created.status, 201);
    connection = created.body.connection.id;
    const trigger = await api<{ trigger: { id: string }; secret: string }>('POST', '/api/v1/triggers', {
      name: 'orders to my receiver',
      event_types: ['order.*'],
      action: { type: 'http', url: 'http://127.0.0.1:1/placeholder' },
      retry: { max_attempts: 5, initial_delay_ms: 100, max_delay_ms: 500 },
    });
    assert.equal(trigger.status, 201, JSON.stringify(trigger.body));
    secret = trigger.body.secret;
    target = await startWebhookTarget(secret);
    const moved = await api('PATCH', `/api/v1/triggers/${trigger.body.trigger.id}`, {
      action: { type: 'http', url: `${target.origin}/hooks` },
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  });
  after(async () => {
    await embedded.close();
    await target.close();
  });

  it('delivers a signed event; the job lists its attempt; webhook.delivered names the event', async () => {
    const emitted = await api<{ results: Array<{ event_id: string }> }>('POST', '/api/v1/events', {
      connection_id: connection,
      emissions: [
        {
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: 'shopify:order:1:created',
          payload: { entity: { kind: 'order', id: '1' } },
        },
      ],
    });
    assert.equal(emitted.status, 200, JSON.stringify(emitted.body));
    const eventId = emitted.body.results[0]?.event_id ?? '';
    for (let i = 0; i < 250 && target.deliveries.length === 0; i++) await sleep(20);
    assert.equal(target.deliveries.length, 1);
    assert.deepEqual(target.unverified, []);
    assert.equal(target.deliveries[0]?.envelope.event_id, eventId);
    let job: JobBody | undefined;
    for (let i = 0; i < 100; i++) {
      const jobs = await api<{ items: JobBody[] }>('GET', `/api/v1/jobs?event_id=${eventId}`);
      job = jobs.body.items[0];
      if (job?.status === 'succeeded') break;
      await sleep(20);
    }
    assert.ok(job !== undefined);
    assert.equal(job.status, 'succeeded');
    assert.equal(target.deliveries[0]?.webhookId, job.idempotency_key ?? `${job.trigger_id}:${eventId}`);
    const one = await api<{ job: JobBody }>('GET', `/api/v1/jobs/${job.id}`);
    assert.equal(one.status, 200);
    const { attempts } = one.body.job;
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]?.status_code, 200);
    assert.equal(typeof attempts[0]?.latency_ms, 'number');
    assert.equal(attempts[0]?.error, null);
    const receipts = await api<{ items: EventBody[] }>('GET', '/api/v1/events?event_type=webhook.delivered');
    const found = job;
    const receipt = receipts.body.items.find((e) => e.payload['job_id'] === found.id);
    assert.equal(receipt?.causation_id, eventId);
    assert.equal(receipt?.payload['attempts'], 1);
  });
});
