import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPostgresClient } from './postgres-client.ts';
import type { SqlClient } from './sql-client.ts';
import { STORE_ADAPTERS, TEST_DATABASE_URL } from './testing/index.ts';

const postgres = STORE_ADAPTERS.find((adapter) => adapter.name === 'postgres');

describe(
  'PostgreSQL client: prepared statements',
  { skip: postgres === undefined && 'no postgres store adapter in this run' },
  () => {
    const schema = `sluice_prepared_${randomBytes(4).toString('hex')}`;
    let admin: SqlClient;
    let client: SqlClient;

    before(async () => {
      admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
      await admin.exec(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int PRIMARY KEY, a text)`);
      await admin.exec(`INSERT INTO ${schema}.t VALUES (1, 'one'), (2, 'two')`);
      client = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1, schema });
    });
    after(async () => {
      await client.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    });

    const preparedHere = (db: SqlClient) =>
      db.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');

    it('prepares a parameterized statement once per connection and runs it again by name', async () => {
      for (const id of [1, 2, 1]) {
        const [row] = await client.query<{ a: string }>('SELECT a FROM t WHERE id = $1', [id]);
        assert.equal(row?.a, id === 1 ? 'one' : 'two');
      }
      const prepared = await preparedHere(client);
      const ours = prepared.filter((p) => p.statement === 'SELECT a FROM t WHERE id = $1');
      assert.equal(ours.length, 1, JSON.stringify(prepared));
      assert.match(ours[0]?.name ?? '', /^sluice_\d+$/);
    });

    it('runs a statement again unnamed when a migration changed the rows its plan returns', async () => {
      const text = 'SELECT * FROM t WHERE id = $1';
      assert.deepEqual(await client.query(text, [1]), [{ id: 1, a: 'one' }]);
      await admin.exec(`ALTER TABLE ${schema}.t ADD COLUMN b text NOT NULL DEFAULT 'new'`);
      assert.deepEqual(await client.query(text, [1]), [{ id: 1, a: 'one', b: 'new' }]);
      // Inside a transaction the error stands (the transaction is aborted), and the next run is fresh.
      assert.equal((await client.query(text, [2])).length, 1, 'prepared again under a new name');
      await admin.exec(`ALTER TABLE ${schema}.t ADD COLUMN c integer NOT NULL DEFAULT 7`);
      await assert.rejects(client.transaction((tx) => tx.query(text, [2])));
      const [row] = await client.transaction((tx) => tx.query(text, [2]));
      assert.deepEqual(row, { id: 2, a: 'two', b: 'new', c: 7 });
    });

    it('runs every statement unnamed when prepared statements are off', async () => {
      const plain = createPostgresClient({
        connectionString: TEST_DATABASE_URL,
        max: 1,
        schema,
        preparedStatements: false,
      });
      try {
        await plain.query('SELECT a FROM t WHERE id = $1', [1]);
        assert.deepEqual(await preparedHere(plain), []);
      } finally {
        await plain.close();
      }
    });
  },
);

describe(
  'PostgreSQL client: session settings',
  { skip: postgres === undefined && 'no postgres store adapter in this run' },
  () => {
    it('runs every connection without JIT compilation, a transaction’s too', async () => {
      const client = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 3 });
      try {
        // Three connections at once, so each is new.
        const shown = await Promise.all(
          [1, 2, 3].map(() =>
            client.transaction(async (tx) => {
              const [row] = await tx.query<{ jit: string; slept: unknown }>(
                'SELECT current_setting($1) AS jit, pg_sleep(0.05) AS slept',
                ['jit'],
              );
              return row?.jit;
            }),
          ),
        );
        assert.deepEqual(shown, ['off', 'off', 'off']);
        const [plain] = await client.query<{ jit: string }>('SHOW jit');
        assert.equal(plain?.jit, 'off');
      } finally {
        await client.close();
      }
    });
  },
);
