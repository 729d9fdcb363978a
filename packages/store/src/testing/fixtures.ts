import type { Connection, PreparedEnvelope, Stores } from '@sluice/core';
import type { StoreAdapter, TestDatabase } from './store-adapters.ts';

/** A prepared order envelope for `connection`, keyed `shop:order:${n}:created`, about entity `order:${n}`. */
export function preparedEnvelope(
  connection: Pick<Connection, 'id' | 'tenant_id' | 'reseller_id' | 'workspace_id'>,
  n: number | string,
  overrides: Partial<PreparedEnvelope> = {},
): PreparedEnvelope {
  return {
    reseller_id: connection.reseller_id,
    tenant_id: connection.tenant_id,
    workspace_id: connection.workspace_id,
    connection_id: connection.id,
    source: 'shop',
    event_type: 'order.created',
    stream: 'order_created',
    dedupe_key: `shop:order:${n}:created`,
    correlation_id: `corr-${n}`,
    causation_id: null,
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    occurred_at: '2026-06-11T09:03:02.000Z',
    received_at: new Date().toISOString(),
    mode: 'live',
    schema_version: '1',
    payload: { entity: { kind: 'order', id: String(n) }, n },
    agent_id: null,
    session_id: null,
    cloudevent: null,
    ...overrides,
  };
}

/** A new tenant and one active connection of the contract suites' connector. */
export async function createTestConnection(store: Stores, tenantName: string): Promise<Connection> {
  const tenant = await store.tenancy.createTenant({ name: tenantName });
  return store.connections.create({
    tenant_id: tenant.id,
    workspace_id: null,
    connector_id: 'test-orders',
    name: `${tenantName} connection`,
    config: {},
    secret_ciphertext: 'v1:test',
  });
}

/** A migrated store on `adapter` with one tenant and one connection, for a contract suite's `before`. */
export async function openConnectedStore(
  adapter: StoreAdapter,
): Promise<{ db: TestDatabase; store: Stores; connection: Connection }> {
  const db = await adapter.open();
  const store = db.store();
  await store.maintenance.migrate();
  const tenant = await store.tenancy.createTenant({ name: 'Acme' });
  const connection = await store.connections.create({
    tenant_id: tenant.id,
    workspace_id: null,
    connector_id: 'test-orders',
    name: 'acme shop',
    config: { shop: 'acme' },
    secret_ciphertext: 'v1:x',
  });
  return { db, store, connection };
}
