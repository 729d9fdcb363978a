import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPgliteClient } from './pglite-client.ts';
import type { SqlClient } from './sql-client.ts';
import { isDataError, isRetryableConflict } from './storage-errors.ts';

/** What the client between the stores and PGlite must not lose: errors' fields, transactions' edges. */
describe('PGlite client over a data directory', () => {
  let db: SqlClient;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-pglite-client-'));
    db = await createPgliteClient(join(dir, 'pgdata'));
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, note text NOT NULL)');
  });
  after(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a database error its SQLSTATE and fields through the client', async () => {
    await db.query('INSERT INTO t VALUES (1, $1)', ['one']);
    const unique = await db.query('INSERT INTO t VALUES (1, $1)', ['again']).catch((error: unknown) => error);
    assert.ok(unique instanceof Error);
    assert.equal((unique as { code?: unknown }).code, '23505');
    assert.equal((unique as { constraint?: unknown }).constraint, 't_pkey');
    assert.match(unique.message, /duplicate key/);
    const nul = await db.query('SELECT $1::text', ['a\u0000b']).catch((error: unknown) => error);
    assert.ok(isDataError(nul), `a NUL in text is a data exception: ${String(nul)}`);
    assert.equal(isRetryableConflict(unique), false);
  });

  it('commits a transaction whose work resolves, and rolls back one whose work throws', async () => {
    const kept = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (2, $1)', ['two']);
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM t'))[0]?.n;
    });
    assert.equal(kept, 2);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (3, $1)', ['three']);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    const failed = db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (4, $1)', ['four']);
      await tx.query('INSERT INTO t VALUES (1, $1)', ['taken']);
    });
    await assert.rejects(failed, (error: unknown) => (error as { code?: unknown }).code === '23505');
    const ids = await db.query<{ id: number }>('SELECT id FROM t ORDER BY id');
    assert.deepEqual(
      ids.map((row) => row.id),
      [1, 2],
    );
  });

  it('runs transactions one at a time, statements outside them waiting their turn', async () => {
    const seen: string[] = [];
    const first = db.transaction(async (tx) => {
      await tx.query('UPDATE t SET note = $1 WHERE id = 1', ['first']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen.push('first done');
    });
    const outside = db.query<{ note: string }>('SELECT note FROM t WHERE id = 1').then((rows) => {
      seen.push(`outside saw ${rows[0]?.note}`);
    });
    await Promise.all([first, outside]);
    assert.deepEqual(seen, ['first done', 'outside saw first']);
  });

  it('carries values both ways: dates, bytes, json, nulls, big integers', async () => {
    const at = new Date('2030-05-01T08:00:00.123Z');
    const [row] = await db.query<{ at: Date; bytes: Uint8Array; doc: unknown; none: null; big: unknown }>(
      'SELECT $1::timestamptz AS at, $2::bytea AS bytes, $3::jsonb AS doc, NULL AS none, 9007199254740993::int8 AS big',
      [at, Buffer.from([0, 1, 255]), JSON.stringify({ a: [1, 'x'] })],
    );
    assert.ok(row?.at instanceof Date);
    assert.equal(row.at.getTime(), at.getTime());
    assert.deepEqual([...(row.bytes ?? [])], [0, 1, 255]);
    assert.deepEqual(row.doc, { a: [1, 'x'] });
    assert.equal(row.none, null);
    assert.equal(String(row.big), '9007199254740993');
  });
});
