import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '@sluice/core';
import { emission, useTenancyApi } from './testing/tenancy-api.ts';

describe('tenancy', () => {
  const api = useTenancyApi();
  const { createTenant, createConnection, emit } = api;

  describe('resellers and workspaces', () => {
    it('stamps the reseller onto the tenant connections and their envelopes', async () => {
      const { tenant, auth } = await createTenant({ name: 'Resold', reseller_id: 'res_partner' });
      assert.equal(tenant.reseller_id, 'res_partner');
      const { connection } = await createConnection(auth);
      assert.equal(connection.reseller_id, 'res_partner');
      const emitted = await emit(auth, connection.id, { emission: emission('r1') });
      assert.equal(emitted.statusCode, 200, emitted.body);
      const events = (await api.t.app.inject({ url: '/api/v1/events?limit=500', headers: auth })).json()
        .items as Envelope[];
      assert.deepEqual(
        events.map((e) => [e.event_type, e.reseller_id, e.tenant_id]),
        [
          ['connection.established', 'res_partner', tenant.id],
          ['order.created', 'res_partner', tenant.id],
        ],
      );
    });

    it('creates workspaces and stamps a connection workspace onto its envelopes', async () => {
      const { tenant, auth } = await createTenant({ name: 'Workspaces' });
      const response = await api.t.app.inject({
        method: 'POST',
        url: '/api/v1/workspaces',
        headers: auth,
        payload: { name: 'EU' },
      });
      assert.equal(response.statusCode, 201, response.body);
      const { workspace } = response.json();
      assert.equal(workspace.tenant_id, tenant.id);
      assert.equal(workspace.name, 'EU');
      const { connection } = await createConnection(auth, { workspace_id: workspace.id });
      assert.equal(connection.workspace_id, workspace.id);
      await emit(auth, connection.id, { emission: emission('w1') });
      const [event] = (
        await api.t.app.inject({ url: `/api/v1/events?connection_id=${connection.id}`, headers: auth })
      ).json().items as Envelope[];
      assert.equal(event?.workspace_id, workspace.id);
      const empty = await api.t.app.inject({
        method: 'POST',
        url: '/api/v1/workspaces',
        headers: auth,
        payload: {},
      });
      assert.equal(empty.statusCode, 400);
    });
  });
});
