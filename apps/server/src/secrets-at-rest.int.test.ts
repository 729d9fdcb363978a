import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashApiKey } from '@sluice/control';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * Every secret the API is handed or hands out, looked for in every column of every table and in every log
 * line of the run: API keys are kept as their SHA-256 only; signing secrets (the connection's, a rotated
 * one, a trigger's outbound one) and connector credentials are sealed (AES-256-GCM).
 */
describe('secrets at rest', () => {
  let t: TestApp;
  const logs: string[] = [];
  const secrets: Record<string, string> = {};

  before(async () => {
    t = await startTestApp({ logStream: { write: (line) => void logs.push(line) } });
  });
  after(() => t.close());

  const call = async (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    headers: Record<string, string>,
    payload?: Record<string, unknown>,
    status = 201,
  ) => {
    const response = await t.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    assert.equal(response.statusCode, status, `${method} ${url}: ${response.body}`);
    return response;
  };

  it('stores none of them in plain text, and logs none of them', async () => {
    const tenant = (await call('POST', '/api/v1/tenants', t.admin, { name: 'Secretive' })).json();
    secrets['api key'] = tenant.api_key.key;
    const auth = { authorization: `Bearer ${tenant.api_key.key}` };
    const extraKey = (
      await call('POST', `/api/v1/tenants/${tenant.tenant.id}/api-keys`, t.admin, { name: 'second' })
    ).json();
    secrets['second api key'] = extraKey.api_key.key;
    secrets['signing secret'] = 'whsec_c2lnbmluZy1zZWNyZXQtYXQtcmVzdA';
    secrets['credential'] = 'sk_test_credential_at_rest_42';
    const stripe = (
      await call('POST', '/api/v1/connections', auth, {
        connector_id: 'stripe',
        secret: secrets['signing secret'],
        config: { api_key: secrets['credential'], base_url: 'http://127.0.0.1:9' },
      })
    ).json().connection;
    const generated = (
      await call('POST', '/api/v1/connections', auth, { connector_id: 'commerce-orders' })
    ).json();
    secrets['generated signing secret'] = generated.secret;
    secrets['rotated secret'] = 'whsec_cm90YXRlZC1zZWNyZXQtdmFsdWU';
    await call(
      'POST',
      `/api/v1/connections/${stripe.id}/rotate-secret`,
      auth,
      { secret: secrets['rotated secret'] },
      200,
    );
    secrets['trigger secret'] = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    await call('POST', '/api/v1/triggers', auth, {
      name: 'outbound',
      event_types: ['order.*'],
      action: { type: 'http', url: 'https://example.test/hook', secret: secrets['trigger secret'] },
    });
    // A delivery signed with the generated secret (accepted), and one with a wrong one (refused).
    const body = JSON.stringify({ id: 1, updated_at: '2026-01-01T00:00:00Z' });
    for (const secret of [generated.secret, 'not-the-secret-at-all']) {
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/ingest/${generated.connection.id}`,
        headers: {
          ...signWebhook({ scheme: 'shopify' }, { secret, rawBody: body, nowMs: Date.now() }),
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
        },
        payload: body,
      });
    }
    // Keys still work: they are checked against their hash.
    await call('GET', '/api/v1/tenant', auth, undefined, 200);
    await call(
      'GET',
      '/api/v1/tenant',
      { authorization: `Bearer ${secrets['second api key']}` },
      undefined,
      200,
    );

    const tables = await t.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    assert.ok(tables.length > 10);
    const found: string[] = [];
    for (const { table_name: table } of tables) {
      const rows = await t.sql.query<{ row: string }>(`SELECT r::text AS row FROM ${table} r`);
      for (const { row } of rows) {
        for (const [what, secret] of Object.entries(secrets)) {
          // The base64 body of a whsec_ secret, too: a store of the decoded form would show it.
          const core = secret.replace(/^whsec_/, '');
          if (row.includes(secret) || row.includes(core)) found.push(`${what} in ${table}`);
        }
      }
    }
    assert.deepEqual(found, [], 'a secret is stored in plain text');
    const keys = await t.sql.query<{ hash: string }>('SELECT hash FROM api_keys WHERE tenant_id = $1', [
      tenant.tenant.id,
    ]);
    assert.deepEqual(
      keys.map((k) => k.hash).sort(),
      [hashApiKey(secrets['api key'] ?? ''), hashApiKey(secrets['second api key'] ?? '')].sort(),
    );
    const sealed = await t.sql.query<{ config: Record<string, unknown> }>(
      'SELECT config FROM connections WHERE id = $1',
      [stripe.id],
    );
    assert.match(JSON.stringify(sealed[0]?.config['api_key']), /\$sealed/);

    assert.ok(logs.length > 5, 'the run logged');
    const logged = Object.entries(secrets)
      .filter(([, secret]) => logs.some((line) => line.includes(secret)))
      .map(([what]) => what);
    assert.deepEqual(logged, [], 'a secret is in the logs');
  });
});
