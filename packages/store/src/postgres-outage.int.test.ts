import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Connection, SluiceError } from '@sluice/core';
import { createPostgresClient } from './postgres-client.ts';
import { SqlStores } from './sql-stores.ts';
import {
  createTestConnection,
  preparedEnvelope,
  STORE_ADAPTERS,
  TEST_DATABASE_URL,
  type TestDatabase,
} from './testing/index.ts';

const postgres = STORE_ADAPTERS.find((adapter) => adapter.name === 'postgres');

describe(
  'PostgreSQL outages',
  { skip: postgres === undefined && 'no postgres store adapter in this run' },
  () => {
    let db: TestDatabase;
    let store: SqlStores;
    let connection: Connection;
    const admin = createPostgresClient({
      connectionString: TEST_DATABASE_URL,
      max: 1,
      applicationName: 'sluice-test-admin',
    });

    before(async () => {
      assert.ok(postgres);
      db = await postgres.open();
      store = db.store();
      await store.maintenance.migrate();
      connection = await createTestConnection(store, 'Outage');
    });
    after(async () => {
      await db.drop();
      await admin.close();
    });

    const batch = (tag: string) =>
      Array.from({ length: 50 }, (_, i) =>
        preparedEnvelope(connection, `${tag}-${i}`, { dedupe_key: `${tag}:${i}`, payload: { tag, i } }),
      );

    it('answers storage_unavailable when connections are cut mid-load, keeps batches whole, and recovers', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, async (_, b) => {
          if (b === 10) {
            await admin.query(
              'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
              [db.schema],
            );
          }
          return store.events.append({ connection, envelopes: batch(`b${b}`), dedupeWindowMs: 60_000 });
        }),
      );
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          assert.ok(outcome.reason instanceof SluiceError, `unexpected ${String(outcome.reason)}`);
          assert.equal(outcome.reason.code, 'storage_unavailable');
          assert.equal(outcome.reason.retryAfter, 1);
        }
      }
      const counts = await db.client.query<{ tag: string; n: number }>(
        `SELECT payload->>'tag' AS tag, count(*)::int AS n FROM envelopes GROUP BY 1`,
      );
      for (const row of counts) assert.equal(row.n, 50, `batch ${row.tag} was stored partially`);
      const committed = outcomes.filter((o) => o.status === 'fulfilled').length;
      assert.equal(counts.length, committed);
      // After the cut the pool reconnects by itself.
      const again = await store.events.append({
        connection,
        envelopes: batch('after'),
        dedupeWindowMs: 60_000,
      });
      assert.equal(again.status, 'committed');
    });

    it('reports an unreachable server as storage_unavailable, never as an internal error', async () => {
      const dead = new SqlStores(
        createPostgresClient({ connectionString: 'postgres://postgres@127.0.0.1:1/test' }),
      );
      await assert.rejects(dead.maintenance.ping(), { code: 'storage_unavailable' });
      await assert.rejects(dead.events.append({ connection, envelopes: batch('dead'), dedupeWindowMs: 1 }), {
        code: 'storage_unavailable',
      });
      await dead.maintenance.close();
    });
  },
);
