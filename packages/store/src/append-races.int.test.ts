import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Connection, newEventId, type PreparedEnvelope } from '@sluice/core';
import type { SqlStore } from './sql-store.ts';
import { STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

const postgres = STORE_ADAPTERS.find((adapter) => adapter.name === 'postgres');

function envelope(connection: Connection, key: string): PreparedEnvelope {
  return {
    reseller_id: null,
    tenant_id: connection.tenant_id,
    workspace_id: null,
    connection_id: connection.id,
    source: 'shop',
    event_type: 'order.created',
    stream: 'order_created',
    dedupe_key: key,
    correlation_id: newEventId(),
    causation_id: null,
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    occurred_at: null,
    received_at: new Date().toISOString(),
    mode: 'live',
    schema_version: '1',
    payload: { entity: { kind: 'order', id: key } },
    agent_id: null,
    session_id: null,
  };
}

/** Interleavings that only a server with real concurrent transactions can produce. */
describe('append races on PostgreSQL', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let connection: Connection;

  before(async () => {
    assert.ok(postgres);
    db = await postgres.open();
    store = db.store();
    await store.migrate();
    const tenant = await store.createTenant({ name: 'Races' });
    connection = await store.createConnection({
      tenant_id: tenant.id,
      workspace_id: null,
      connector_id: 'test-orders',
      name: 'c',
      config: {},
      secret_ciphertext: 'v1:x',
    });
  });
  after(() => db.drop());

  it('refuses an append whose connection is retired while it waits for the connection lock', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // Another writer holds the connection row and retires the connection while the append waits on it.
    const retirement = db.client.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM connections WHERE id = $1 FOR UPDATE', [connection.id]);
      locked();
      await gate;
      await tx.query(`UPDATE connections SET status = 'retired', retired_at = now() WHERE id = $1`, [
        connection.id,
      ]);
    });
    await isLocked;
    const append = store.append({
      connection,
      envelopes: [envelope(connection, 'raced')],
      dedupeWindowMs: 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await retirement;
    await assert.rejects(append, { code: 'connection_retired' });
    const rows = await db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM dedupe_keys');
    assert.equal(rows[0]?.n, 0, 'the refused append left no dedupe key behind');
  });
});
