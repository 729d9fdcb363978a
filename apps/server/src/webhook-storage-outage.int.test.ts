import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exampleConnectors, platformConnector } from '@sluice/connectors';
import { generateApiKey, SecretBox } from '@sluice/control';
import { createPostgresClient, SqlStores } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { type App, buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createContext, registerProviders } from './create-context.ts';
import { assertError } from './testing/assert-error.ts';
import { TEST_ADMIN_KEY } from './testing/index.ts';
import { createConnection, orderBody, shopifyHeaders, storedOf } from './testing/shopify-deliveries.ts';
import { startRelay, type TcpRelay } from './testing/tcp-relay.ts';

/** Ingest while PostgreSQL is cut off behind a relay: 503 with Retry-After, and the retried delivery once after. */

describe('webhook ingest while storage is unreachable (postgres)', () => {
  let relay: TcpRelay;
  let app: App;
  let store: SqlStores;
  let admin: ReturnType<typeof createPostgresClient>;
  const schema = `sluice_test_${randomBytes(6).toString('hex')}`;

  before(async () => {
    const target = new URL(TEST_DATABASE_URL);
    relay = await startRelay({ host: target.hostname, port: Number(target.port || 5432) });
    admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const relayed = new URL(TEST_DATABASE_URL);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(relay.port);
    store = new SqlStores(createPostgresClient({ connectionString: relayed.toString(), schema, max: 4 }));
    await store.maintenance.migrate();
    const ctx = createContext({
      config: loadConfig({ SLUICE_ADMIN_KEY: TEST_ADMIN_KEY, SLUICE_DEV: '0', SLUICE_LOG_LEVEL: 'silent' }),
      store,
      connectors: [...exampleConnectors, platformConnector],
      secretBox: new SecretBox(Buffer.alloc(32, 7)),
    });
    await registerProviders(ctx);
    app = await buildApp(ctx);
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.maintenance.close();
    await relay.close();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  });

  it('answers 503 with Retry-After (and /readyz 503) while down, and stores the retried delivery once after', async () => {
    const tenant = await store.tenancy.createTenant({ name: 'Outage' });
    const { key, prefix, hash } = generateApiKey();
    await store.tenancy.createApiKey({ tenant_id: tenant.id, name: 'test', prefix, hash });
    const auth = { authorization: `Bearer ${key}` };
    const id = await createConnection(app, auth);
    const url = `/api/v1/webhooks/commerce-orders/${tenant.id}`;
    const first = orderBody();
    const accepted = await app.inject({
      method: 'POST',
      url,
      headers: shopifyHeaders(first),
      payload: first,
    });
    assert.equal(accepted.statusCode, 200, accepted.body);

    relay.cut();
    const body = orderBody();
    const headers = shopifyHeaders(body);
    for (const path of [url, `/api/v1/ingest/${id}`]) {
      const refused = await app.inject({ method: 'POST', url: path, headers, payload: body });
      assertError(refused, 503, 'storage_unavailable');
      assert.match(String(refused.headers['retry-after']), /^[1-9][0-9]*$/);
    }
    const notReady = await app.inject({ url: '/readyz' });
    assertError(notReady, 503, 'storage_unavailable');
    assert.ok(notReady.headers['retry-after'] !== undefined);

    relay.restore();
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    // The provider retries the refused delivery byte for byte: it is new, so nothing was kept while down.
    const retried = await app.inject({ method: 'POST', url, headers, payload: body });
    assert.equal(retried.statusCode, 200, retried.body);
    assert.equal(retried.json().accepted, 1);
    assert.equal((await storedOf(app, auth, id)).events, 2);
  });
});
