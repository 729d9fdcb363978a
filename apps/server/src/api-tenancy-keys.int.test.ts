import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { emission, useTenancyApi } from './testing/tenancy-api.ts';

describe('tenancy', () => {
  const api = useTenancyApi();
  const { createTenant } = api;

  describe('tenants and API keys', () => {
    it('lets the admin create a tenant and shows its API key once, storing only a hash', async () => {
      const { tenant, apiKey, auth } = await createTenant({ name: 'Acme' });
      assert.match(tenant.id, /^ten_/);
      assert.equal(tenant.name, 'Acme');
      assert.equal(tenant.reseller_id, null);
      assert.match(apiKey.key, /^slk_/);
      assert.equal(apiKey.tenant_id, tenant.id);
      assert.equal(apiKey.prefix, apiKey.key.slice(0, 12));

      const me = await api.t.app.inject({ url: '/api/v1/tenant', headers: auth });
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json().tenant, tenant);
      assert.ok(!me.body.includes(apiKey.key), 'the key is never shown again');
      const listed = await api.t.app.inject({ url: '/api/v1/tenants', headers: api.t.admin });
      assert.ok(listed.json().items.some((item: { id: string }) => item.id === tenant.id));
      assert.ok(!listed.body.includes(apiKey.key));

      const rows = await api.t.sql.query<Record<string, unknown>>(
        'SELECT * FROM api_keys WHERE tenant_id = $1',
        [tenant.id],
      );
      assert.equal(rows.length, 1);
      const row = rows[0] ?? {};
      assert.equal(row['hash'], createHash('sha256').update(apiKey.key).digest('hex'));
      for (const [column, value] of Object.entries(row)) {
        assert.ok(!String(value).includes(apiKey.key), `api_keys.${column} does not hold the key`);
      }
    });

    it('issues further keys to the admin only, each working on its own', async () => {
      const { tenant, auth } = await createTenant({ name: 'Keys' });
      const issued = await api.t.app.inject({
        method: 'POST',
        url: `/api/v1/tenants/${tenant.id}/api-keys`,
        headers: api.t.admin,
        payload: { name: 'ci' },
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const second = { authorization: `Bearer ${issued.json().api_key.key}` };
      assert.equal(issued.json().api_key.name, 'ci');
      assert.notEqual(second.authorization, auth.authorization);
      assert.equal(
        (await api.t.app.inject({ url: '/api/v1/tenant', headers: second })).json().tenant.id,
        tenant.id,
      );
      const unknown = await api.t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants/ten_nope/api-keys',
        headers: api.t.admin,
        payload: {},
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'tenant_not_found');
    });

    it('refuses admin routes to a tenant key with 403', async () => {
      const { tenant, auth } = await createTenant({ name: 'Not admin' });
      const calls = [
        { method: 'POST', url: '/api/v1/tenants', payload: { name: 'Sneaky' } },
        { method: 'GET', url: '/api/v1/tenants' },
        { method: 'POST', url: `/api/v1/tenants/${tenant.id}/api-keys`, payload: {} },
      ] as const;
      const before = (await api.t.store.tenancy.listTenants()).length;
      for (const call of calls) {
        const response = await api.t.app.inject({ ...call, headers: auth });
        assert.equal(response.statusCode, 403, `${call.method} ${call.url}`);
        assert.equal(response.json().error.code, 'forbidden');
      }
      assert.equal((await api.t.store.tenancy.listTenants()).length, before);
    });

    it('answers 401 to a missing, malformed or unknown key on every keyed route', async () => {
      const routes = [
        ['POST', '/api/v1/tenants'],
        ['GET', '/api/v1/tenants'],
        ['GET', '/api/v1/tenant'],
        ['POST', '/api/v1/workspaces'],
        ['GET', '/api/v1/connectors'],
        ['POST', '/api/v1/connections'],
        ['GET', '/api/v1/connections'],
        ['GET', '/api/v1/connections/con_x'],
        ['POST', '/api/v1/connections/con_x/test'],
        ['POST', '/api/v1/connections/con_x/retire'],
        ['POST', '/api/v1/connections/con_x/rotate-secret'],
        ['POST', '/api/v1/events'],
        ['GET', '/api/v1/events'],
        ['GET', '/api/v1/events/01890a5d-ac96-774b-bcce-b302099a8057'],
        ['GET', '/api/v1/events/stream'],
        ['GET', '/api/v1/dead-letters'],
        ['GET', '/api/v1/dead-letters/dlq_x'],
        ['POST', '/api/v1/dead-letters/dlq_x/replay'],
      ] as const;
      const bodies: Record<string, unknown> = {
        '/api/v1/tenants': { name: 'x' },
        '/api/v1/workspaces': { name: 'x' },
        '/api/v1/connections': { connector_id: 'github' },
        '/api/v1/events': { connection_id: 'con_x', emission: emission('1') },
      };
      for (const headers of [
        {},
        { authorization: 'slk_without_scheme' },
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: 'Bearer slk_unknown' },
      ]) {
        for (const [method, url] of routes) {
          const payload = method === 'POST' ? (bodies[url] ?? {}) : undefined;
          const response = await api.t.app.inject({
            method,
            url,
            headers,
            ...(payload === undefined ? {} : { payload: payload as object }),
          });
          assert.equal(
            response.statusCode,
            401,
            `${method} ${url} with ${JSON.stringify(headers)}: ${response.body}`,
          );
          assert.equal(response.json().error.code, 'unauthenticated');
        }
      }
    });

    it('lets the admin act for a tenant only through X-Sluice-Tenant', async () => {
      const { tenant } = await createTenant({ name: 'Acted for' });
      const without = await api.t.app.inject({ url: '/api/v1/connections', headers: api.t.admin });
      assert.equal(without.statusCode, 403);
      assert.equal(without.json().error.code, 'forbidden');
      const unknown = await api.t.app.inject({
        url: '/api/v1/tenant',
        headers: { ...api.t.admin, 'x-sluice-tenant': 'ten_nope' },
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'tenant_not_found');
      const asTenant = await api.t.app.inject({
        url: '/api/v1/tenant',
        headers: { ...api.t.admin, 'x-sluice-tenant': tenant.id },
      });
      assert.equal(asTenant.statusCode, 200);
      assert.equal(asTenant.json().tenant.id, tenant.id);
      const other = await createTenant({ name: 'Header ignored' });
      const tenantKeyWithHeader = await api.t.app.inject({
        url: '/api/v1/tenant',
        headers: { ...other.auth, 'x-sluice-tenant': tenant.id },
      });
      assert.equal(
        tenantKeyWithHeader.json().tenant.id,
        other.tenant.id,
        'a tenant key cannot borrow another tenant',
      );
    });
  });
});
