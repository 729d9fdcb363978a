import assert from 'node:assert/strict';
import { orderBody, shopifyHeaders } from './shopify-deliveries.ts';
import { startWebhookTarget, type TargetDelivery, type WebhookTarget } from './webhook-target.ts';

/** What one webhook's walk to its delivery left behind, for a test to look for. */
export interface DeliveredFlow {
  readonly target: WebhookTarget;
  readonly connectionId: string;
  /** The connection's signing secret, given at creation. */
  readonly connectionSecret: string;
  /** The trigger's `whsec_` secret, shown once at creation. */
  readonly triggerSecret: string;
  /** The signature headers' values: the inbound HMAC and the delivery's `webhook-signature`. */
  readonly signatures: ReadonlyArray<string>;
  readonly eventId: string;
  readonly jobId: string;
  readonly delivery: TargetDelivery;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A newcomer's first flow against a running server, over HTTP: a `commerce-orders` connection made with a
 * secret, a trigger with a signed http action to a local receiver, one signed Shopify webhook (with
 * `headers` on top, e.g. a `traceparent`), then waits (bounded) for the delivery and the job's success.
 */
export async function runDeliveredFlow(
  url: string,
  apiKey: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<DeliveredFlow> {
  const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: auth,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const connectionSecret = `shpss_flow_${Math.random().toString(36).slice(2)}_0123456789`;
  const created = await api<{ connection: { id: string } }>('POST', '/api/v1/connections', {
    connector_id: 'commerce-orders',
    secret: connectionSecret,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const connectionId = created.body.connection.id;
  const trigger = await api<{ trigger: { id: string }; secret: string }>('POST', '/api/v1/triggers', {
    name: 'orders to the local receiver',
    event_types: ['order.*'],
    action: { type: 'http', url: 'http://127.0.0.1:1/placeholder' },
    retry: { max_attempts: 5, initial_delay_ms: 100, max_delay_ms: 500 },
  });
  assert.equal(trigger.status, 201, JSON.stringify(trigger.body));
  const target = await startWebhookTarget(trigger.body.secret);
  const moved = await api('PATCH', `/api/v1/triggers/${trigger.body.trigger.id}`, {
    action: { type: 'http', url: `${target.origin}/hooks` },
  });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const body = orderBody();
  const signed = shopifyHeaders(body, connectionSecret);
  const received = await fetch(`${url}/api/v1/ingest/${connectionId}`, {
    method: 'POST',
    headers: { ...signed, ...headers },
    body,
  });
  const answer = (await received.json()) as { results: Array<{ event_id: string }> };
  assert.equal(received.status, 200, JSON.stringify(answer));
  const eventId = answer.results[0]?.event_id ?? '';
  for (let i = 0; i < 500 && target.deliveries.length === 0; i++) await sleep(20);
  const delivery = target.deliveries[0];
  assert.ok(delivery !== undefined, 'the trigger delivered the event');
  let jobId = '';
  for (let i = 0; i < 250 && jobId === ''; i++) {
    const jobs = await api<{ items: Array<{ id: string; status: string }> }>(
      'GET',
      `/api/v1/jobs?event_id=${eventId}`,
    );
    const job = jobs.body.items[0];
    if (job?.status === 'succeeded') jobId = job.id;
    else await sleep(20);
  }
  assert.notEqual(jobId, '', 'the job succeeded');
  return {
    target,
    connectionId,
    connectionSecret,
    triggerSecret: trigger.body.secret,
    signatures: [signed['x-shopify-hmac-sha256'] ?? '', delivery.headers['webhook-signature'] ?? ''],
    eventId,
    jobId,
    delivery,
  };
}
