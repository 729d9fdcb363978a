import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformConnector } from '@sluice/connectors';
import { SYSTEM_TENANT_ID } from '@sluice/core';
import { SqlStores } from '@sluice/store';
import { buildApp } from './app.ts';
import { createContext, registerProviders } from './create-context.ts';
import { CONNECTORS, useConnectionsApi } from './testing/connections-api.ts';

describe('connections API', () => {
  const api = useConnectionsApi();
  const { platformEvents } = api;

  describe('provider.registered', () => {
    const registered = async (store = api.t.store) => {
      const page = await store.events.query(
        SYSTEM_TENANT_ID,
        { event_type: 'provider.registered' },
        { limit: 500 },
      );
      return page.items;
    };

    it('is published once per connector for the system tenant, not for the platform connector', async () => {
      const items = await registered();
      const ids = items.map((e) => (e.payload['entity'] as { id: string }).id).sort();
      assert.deepEqual(ids, CONNECTORS.map((c) => c.id).sort());
      const throws = items.find((e) => (e.payload['entity'] as { id: string }).id === 'probe-throws');
      assert.deepEqual(throws?.payload, {
        entity: { kind: 'provider', id: 'probe-throws' },
        version: '2.1.0',
        streams: ['items'],
        verification: 'hmac-sha256',
      });
      const stripe = items.find((e) => (e.payload['entity'] as { id: string }).id === 'stripe');
      assert.deepEqual(stripe?.payload['streams'], ['events', 'customers']);
      assert.equal(stripe?.payload['verification'], 'stripe');
    });

    it('is not published again by a second app over the same store, even days later', async () => {
      const before = await registered();
      for (const laterMs of [0, 3 * 24 * 3600 * 1000]) {
        const now = () => new Date(Date.now() + laterMs);
        const store = new SqlStores(api.t.sql, { now });
        const ctx = createContext({
          config: api.t.config,
          store,
          connectors: [...CONNECTORS, platformConnector],
          secretBox: api.t.ctx.secretBox,
          now,
        });
        await registerProviders(ctx);
        const second = await buildApp(ctx);
        await second.ready();
        await second.close();
      }
      const afterRestarts = await registered();
      assert.deepEqual(
        afterRestarts.map((e) => e.event_id),
        before.map((e) => e.event_id),
      );
      const platformConnections = await api.t.store.connections.list(SYSTEM_TENANT_ID, {
        connector_id: platformConnector.id,
      });
      assert.equal(platformConnections.length, 1, 'the system tenant keeps one platform connection');
    });

    it('is not visible to an ordinary tenant', async () => {
      assert.deepEqual(await platformEvents('provider.registered'), []);
    });
  });
});
