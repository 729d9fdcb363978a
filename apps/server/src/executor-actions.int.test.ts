import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from './server.ts';
import { type EmbeddedServer, startEmbeddedServer } from './testing/embedded-server.ts';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store's admin API on the loopback that records what it is asked and answers like the real one. */
async function fakeStore(): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ order: { id: 1, on_hold: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, origin: `http://127.0.0.1:${port}`, seen };
}

describe('embedded server: a connector action runs against the provider with the connection’s credentials', () => {
  let embedded: EmbeddedServer;
  let server: RunningServer;
  let provider: Awaited<ReturnType<typeof fakeStore>>;
  let auth: Record<string, string>;

  const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: auth,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  before(async () => {
    provider = await fakeStore();
    embedded = await startEmbeddedServer();
    server = embedded.server;
    const { key } = embedded;
    auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  });
  after(async () => {
    await embedded.close();
    await new Promise<void>((resolve) => provider.server.close(() => resolve()));
  });

  it('holds the order through the store API, once, with the sealed token and the job’s idempotency key', async () => {
    const created = await api<{ connection: { id: string; config: Record<string, unknown> } }>(
      'POST',
      '/api/v1/connections',
      {
        connector_id: 'commerce-orders',
        secret: 'actions-secret',
        config: { base_url: provider.origin, access_token: 'shpat_test_token' },
      },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.connection.config['access_token'], '[sealed]');
    const connection = created.body.connection.id;
    const trigger = await api<{ trigger: { id: string } }>('POST', '/api/v1/triggers', {
      name: 'hold risky orders',
      event_types: ['order.created'],
      condition: 'payload.risk eq "high"',
      action: {
        type: 'connector',
        connection_id: connection,
        action: 'order.hold',
        input: { order_id: '1' },
      },
    });
    assert.equal(trigger.status, 201, JSON.stringify(trigger.body));
    const emitted = await api<{ results: Array<{ event_id: string }> }>('POST', '/api/v1/events', {
      connection_id: connection,
      emissions: [
        {
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: 'shopify:order:1:created',
          payload: { entity: { kind: 'order', id: '1' }, risk: 'high' },
        },
        {
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: 'shopify:order:2:created',
          payload: { entity: { kind: 'order', id: '2' }, risk: 'low' },
        },
      ],
    });
    assert.equal(emitted.status, 200, JSON.stringify(emitted.body));
    const eventId = emitted.body.results[0]?.event_id ?? '';
    let status = '';
    for (let i = 0; i < 300 && status !== 'succeeded'; i++) {
      const jobs = await api<{ items: Array<{ status: string }> }>('GET', `/api/v1/jobs?event_id=${eventId}`);
      status = jobs.body.items[0]?.status ?? '';
      if (status !== 'succeeded') await sleep(20);
    }
    assert.equal(status, 'succeeded');
    assert.equal(provider.seen.length, 1, 'one call: the low-risk order matched nothing');
    const [call] = provider.seen;
    assert.equal(call?.method, 'POST');
    assert.equal(call?.url, '/admin/api/2024-01/orders/1/hold.json');
    assert.equal(call?.headers['x-shopify-access-token'], 'shpat_test_token');
    assert.equal(call?.headers['idempotency-key'], `${trigger.body.trigger.id}:${eventId}`);
    assert.deepEqual(JSON.parse(call?.body ?? '{}'), { hold: { reason: 'other' } });
  });
});
