import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { pgliteClientOf } from './pglite-client.ts';
import type { SqlClient } from './sql-client.ts';

describe('PGlite client: prepared statements', () => {
  let client: SqlClient;

  before(async () => {
    const db = new PGlite();
    await db.waitReady;
    client = pgliteClientOf(db);
    await client.exec(
      `CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t VALUES (1, 'one'), (2, 'two')`,
    );
  });
  after(() => client.close());

  const prepared = () =>
    client.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');

  it('prepares a parameterized statement once and runs it again by name, in a transaction or not', async () => {
    const text = 'SELECT a FROM t WHERE id = $1';
    for (const id of [1, 2, 1]) {
      const [row] = await client.query<{ a: string }>(text, [id]);
      assert.equal(row?.a, id === 1 ? 'one' : 'two');
    }
    const [inside] = await client.transaction((tx) => tx.query<{ a: string }>(text, [2]));
    assert.equal(inside?.a, 'two');
    const ours = (await prepared()).filter((p) => p.statement === text);
    assert.equal(ours.length, 1, JSON.stringify(ours));
    assert.match(ours[0]?.name ?? '', /^sluice_\d+$/);
  });

  it('serializes values by the types the statement declares, and parses rows as query does', async () => {
    const text = `SELECT $1::jsonb AS doc, $2::timestamptz AS at, $3::bigint AS big, $4::bytea AS bytes,
                          $5::text AS nothing, $6::int[] AS list`;
    const values = [
      { a: [1, 'x'] },
      new Date('2025-03-14T10:02:00Z'),
      '9007199254740993',
      Buffer.from('hi'),
      null,
      [1, 2],
    ];
    const [named] = await client.query<Record<string, unknown>>(text, values);
    const [again] = await client.query<Record<string, unknown>>(text, values);
    assert.deepEqual(again, named);
    assert.deepEqual(named?.['doc'], { a: [1, 'x'] });
    assert.equal((named?.['at'] as Date).toISOString(), '2025-03-14T10:02:00.000Z');
    assert.equal(String(named?.['big']), '9007199254740993');
    assert.equal(Buffer.from(named?.['bytes'] as Uint8Array).toString(), 'hi');
    assert.equal(named?.['nothing'], null);
    assert.deepEqual(named?.['list'], [1, 2]);
  });

  it('keeps a failing statement its SQLSTATE, and the session ready for the next', async () => {
    await assert.rejects(client.query('SELECT a FROM missing WHERE id = $1', [1]), { code: '42P01' });
    await assert.rejects(client.query('SELECT 1 / $1::int AS x', [0]), { code: '22012' });
    await assert.rejects(client.query('INSERT INTO t VALUES ($1, $2)', [1, 'dup']), { code: '23505' });
    const [row] = await client.query<{ x: number }>('SELECT 1 / $1::int AS x', [1]);
    assert.equal(row?.x, 1);
  });

  it('runs a statement again unnamed when a migration changed the rows its plan returns', async () => {
    const text = 'SELECT * FROM t WHERE id = $1';
    assert.deepEqual(await client.query(text, [1]), [{ id: 1, a: 'one' }]);
    await client.exec(`ALTER TABLE t ADD COLUMN b text NOT NULL DEFAULT 'new'`);
    assert.deepEqual(await client.query(text, [1]), [{ id: 1, a: 'one', b: 'new' }]);
    assert.equal((await client.query(text, [2])).length, 1, 'prepared again under a new name');
    // Inside a transaction the error stands (the transaction is aborted), and the next run is fresh.
    await client.exec(`ALTER TABLE t ADD COLUMN c integer NOT NULL DEFAULT 7`);
    await assert.rejects(
      client.transaction((tx) => tx.query(text, [2])),
      { code: '0A000' },
    );
    const [row] = await client.transaction((tx) => tx.query(text, [2]));
    assert.deepEqual(row, { id: 2, a: 'two', b: 'new', c: 7 });
  });

  it('lets a statement outside a transaction wait for the transaction to end', async () => {
    const order: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = client.transaction(async (t) => {
      await t.query('UPDATE t SET a = $1 WHERE id = $2', ['held', 1]);
      order.push('tx wrote');
      await held;
      await t.query('UPDATE t SET a = $1 WHERE id = $2', ['one', 1]);
      order.push('tx done');
    });
    const outside = client.query<{ a: string }>('SELECT a FROM t WHERE id = $1', [1]).then((rows) => {
      order.push(`outside read ${rows[0]?.a}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all([tx, outside]);
    assert.deepEqual(order, ['tx wrote', 'tx done', 'outside read one']);
  });
});
