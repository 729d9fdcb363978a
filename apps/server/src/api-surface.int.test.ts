import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exampleConnectors, platformConnector } from '@sluice/connectors';
import { SecretBox } from '@sluice/control';
import { createPostgresClient, SqlStores } from '@sluice/store';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createContext } from './create-context.ts';
import { startTestApp, type TestApp } from './testing/index.ts';

describe('API surface', () => {
  let t: TestApp;
  let auth: { authorization: string };
  before(async () => {
    t = await startTestApp();
    ({ auth } = await t.tenant());
  });
  after(() => t.close());

  it('answers /healthz and /readyz without a key', async () => {
    const health = await t.app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });

  describe('/openapi.json', () => {
    let doc: {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: Record<string, Record<string, unknown>>;
    };
    before(async () => {
      const response = await t.app.inject({ url: '/openapi.json' });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      doc = response.json();
    });

    it('is OpenAPI 3.1', () => {
      assert.equal(doc.openapi, '3.1.0');
    });

    it('documents every route', () => {
      const expected: Array<[string, string]> = [
        ['get', '/healthz'],
        ['get', '/readyz'],
        ['get', '/api/v1/connectors'],
        ['post', '/api/v1/tenants'],
        ['get', '/api/v1/tenants'],
        ['post', '/api/v1/tenants/{tenant_id}/api-keys'],
        ['get', '/api/v1/tenant'],
        ['post', '/api/v1/workspaces'],
        ['post', '/api/v1/connections'],
        ['get', '/api/v1/connections'],
        ['get', '/api/v1/connections/{connection_id}'],
        ['patch', '/api/v1/connections/{connection_id}'],
        ['post', '/api/v1/connections/{connection_id}/test'],
        ['post', '/api/v1/connections/{connection_id}/retire'],
        ['post', '/api/v1/connections/{connection_id}/rotate-secret'],
        ['post', '/api/v1/webhooks/{connector}/{tenant_id}'],
        ['post', '/api/v1/ingest/{connection_id}'],
        ['post', '/api/v1/events'],
        ['get', '/api/v1/events'],
        ['get', '/api/v1/events/{event_id}'],
        ['get', '/api/v1/events/stream'],
        ['get', '/api/v1/dead-letters'],
        ['get', '/api/v1/dead-letters/{dead_letter_id}'],
        ['post', '/api/v1/dead-letters/{dead_letter_id}/replay'],
        ['post', '/api/v1/dead-letters/replay'],
        ['get', '/api/v1/dead-letters/replays/{replay_id}'],
        ['post', '/api/v1/dead-letter-policies'],
        ['get', '/api/v1/dead-letter-policies'],
        ['get', '/api/v1/dead-letter-policies/{policy_id}'],
        ['delete', '/api/v1/dead-letter-policies/{policy_id}'],
        ['delete', '/api/v1/dead-letters/{dead_letter_id}'],
        ['get', '/metrics'],
      ];
      const missing = expected.filter(([method, path]) => doc.paths[path]?.[method] === undefined);
      assert.deepEqual(missing, []);
    });

    it('carries the request schemas that validate requests', () => {
      const create = doc.paths['/api/v1/connections']?.['post'] as {
        requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
      };
      const schema = create.requestBody.content['application/json']?.schema;
      assert.ok(schema !== undefined);
      assert.deepEqual(schema['required'], ['connector_id']);
      assert.equal(schema['additionalProperties'], false);
      assert.deepEqual(Object.keys(schema['properties'] as object).sort(), [
        'config',
        'connector_id',
        'name',
        'rate_limit',
        'secret',
        'workspace_id',
      ]);

      const emit = doc.paths['/api/v1/events']?.['post'] as {
        requestBody: { content: Record<string, { schema: { required: string[] } }> };
      };
      assert.deepEqual(emit.requestBody.content['application/json']?.schema.required, ['connection_id']);

      const list = doc.paths['/api/v1/events']?.['get'] as {
        parameters: Array<{ name: string; in: string }>;
      };
      const query = list.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      for (const name of [
        'event_type',
        'entity',
        'source',
        'connection_id',
        'stream',
        'mode',
        'since',
        'until',
        'cursor',
        'limit',
      ]) {
        assert.ok(query.includes(name), `GET /api/v1/events documents ?${name}`);
      }
      const tail = doc.paths['/api/v1/events/stream']?.['get'] as { parameters: Array<{ name: string }> };
      assert.ok(tail.parameters.some((p) => p.name === 'last_event_id'));
    });

    it('describes the error body and the bearer scheme', () => {
      const schemas = doc.components['schemas'] as Record<string, { properties?: Record<string, unknown> }>;
      const errorSchema = Object.values(schemas).find((s) => s.properties?.['error'] !== undefined);
      assert.ok(errorSchema !== undefined, 'an error response schema is among the components');
      assert.deepEqual(doc.components['securitySchemes']?.['apiKey'], {
        type: 'http',
        scheme: 'bearer',
        description: 'A tenant API key or the admin key.',
      });
    });

    it('validates a request against the schema it documents', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: { name: 'no connector' },
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'invalid_request');
      assert.match(response.json().error.message, /connector_id/);
    });
  });

  it('answers a known path with the wrong method with 405 and the methods it allows', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/api/v1/connections?x=1', 'GET, HEAD, POST'],
      ['PUT', '/api/v1/connections/con_1', 'GET, HEAD, PATCH'],
      ['GET', '/api/v1/events/batch-that-is-not-a-route/x', null],
    ] as const) {
      const response = await t.app.inject({ method, url });
      if (allow === null) {
        assert.equal(response.statusCode, 404, url);
        continue;
      }
      assert.equal(response.statusCode, 405, `${method} ${url}`);
      assert.equal(response.headers['allow'], allow);
      assert.equal(response.json().error.code, 'method_not_allowed');
      assert.ok(!response.json().error.message.includes('?x=1'));
    }
  });

  it('answers an unknown route with a JSON not_found error', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['POST', '/api/v1/nothing-here?x=1'],
      ['DELETE', '/api/v1/connections/con_1/nothing'],
    ] as const) {
      const response = await t.app.inject({ method, url });
      assert.equal(response.statusCode, 404);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.equal(response.json().error.code, 'not_found');
      assert.equal(typeof response.json().error.message, 'string');
      assert.ok(!response.json().error.message.includes('?x=1'));
    }
  });

  describe('GET /api/v1/connectors', () => {
    it('needs a key', async () => {
      const response = await t.app.inject({ url: '/api/v1/connectors' });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error.code, 'unauthenticated');
    });

    it('lists the example connectors with streams and verification, without the platform connector', async () => {
      for (const headers of [auth, t.admin]) {
        const response = await t.app.inject({ url: '/api/v1/connectors', headers });
        assert.equal(response.statusCode, 200);
        const items = response.json().items as Array<Record<string, unknown>>;
        assert.deepEqual(items.map((c) => c['id']).sort(), exampleConnectors.map((c) => c.id).sort());
        assert.ok(!items.some((c) => c['id'] === platformConnector.id));
        for (const item of items) {
          const connector = exampleConnectors.find((c) => c.id === item['id']);
          assert.ok(connector !== undefined);
          assert.equal(item['version'], connector.version);
          assert.equal(item['verification'], connector.webhook?.verify.scheme ?? null);
          assert.deepEqual(
            item['streams'],
            connector.streams.map((s) => ({
              key: s.key,
              mode: s.mode,
              schedule: s.schedule ?? null,
              topic: s.topic ?? null,
              events: [...s.events],
            })),
          );
        }
      }
    });

    it('shows the concrete streams of the commerce and Stripe connectors', async () => {
      const items = (await t.app.inject({ url: '/api/v1/connectors', headers: auth })).json().items as Array<{
        id: string;
        verification: string;
        streams: Array<{ key: string; mode: string; schedule: string | null; topic: string | null }>;
      }>;
      const commerce = items.find((c) => c.id === 'commerce-orders');
      assert.equal(commerce?.verification, 'shopify');
      assert.deepEqual(
        commerce?.streams.map(({ key, mode, topic, schedule }) => ({ key, mode, topic, schedule })),
        [
          { key: 'order_created', mode: 'webhook', topic: 'orders/create', schedule: null },
          { key: 'order_updated', mode: 'webhook', topic: 'orders/updated', schedule: null },
        ],
      );
      const stripe = items.find((c) => c.id === 'stripe');
      assert.equal(stripe?.verification, 'stripe');
      const customers = stripe?.streams.find((s) => s.key === 'customers');
      assert.deepEqual(customers && { mode: customers.mode, schedule: customers.schedule }, {
        mode: 'poll',
        schedule: '*/15 * * * *',
      });
    });
  });
});

describe('API surface when the store is down', () => {
  it('answers /readyz and keyed routes with 503 storage_unavailable and Retry-After', async () => {
    const client = createPostgresClient({ connectionString: 'postgres://postgres@127.0.0.1:1/none', max: 1 });
    const ctx = createContext({
      config: loadConfig({ SLUICE_LOG_LEVEL: 'silent', SLUICE_DEV: '0' }),
      store: new SqlStores(client),
      connectors: [...exampleConnectors, platformConnector],
      secretBox: new SecretBox(Buffer.alloc(32, 1)),
    });
    const app = await buildApp(ctx);
    try {
      const ready = await app.inject({ url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().error.code, 'storage_unavailable');
      assert.equal(ready.headers['retry-after'], '1');
      const emit = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: 'Bearer slk_whatever' },
        payload: { connection_id: 'con_x', emission: {} },
      });
      assert.equal(emit.statusCode, 503);
      assert.equal(emit.json().error.code, 'storage_unavailable');
      assert.equal(
        (await app.inject({ url: '/healthz' })).statusCode,
        200,
        'liveness does not need the store',
      );
    } finally {
      await app.close();
      await client.close();
    }
  });
});
