import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from '@sluice/core';
import type { SqlStores } from './sql-stores.ts';
import {
  createTestConnection,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
} from './testing/index.ts';

const postgres = STORE_ADAPTERS.find((adapter) => adapter.name === 'postgres');

/** Interleavings that only a server with real concurrent transactions can produce. */
describe(
  'append races on PostgreSQL',
  { skip: postgres === undefined && 'no postgres store adapter in this run' },
  () => {
    let db: TestDatabase;
    let store: SqlStores;
    let connection: Connection;

    before(async () => {
      assert.ok(postgres);
      db = await postgres.open();
      store = db.store();
      await store.maintenance.migrate();
      connection = await createTestConnection(store, 'Races');
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
      const append = store.events.append({
        connection,
        envelopes: [preparedEnvelope(connection, 'raced')],
        dedupeWindowMs: 60_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      await retirement;
      await assert.rejects(append, { code: 'connection_retired' });
      const rows = await db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM dedupe_keys');
      assert.equal(rows[0]?.n, 0, 'the refused append left no dedupe key behind');
    });
  },
);
