import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MIGRATIONS } from './migrations.ts';
import { migrate } from './migrator.ts';
import { createPgliteClient } from './pglite-client.ts';
import { unpackTemplate } from './pglite-template.ts';

describe('the shipped PGlite template', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-template-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('is unpacked into a new or empty data directory, never into one that holds anything', async () => {
    const fresh = join(root, 'not-yet', 'pgdata');
    assert.equal(await unpackTemplate(fresh), true);
    assert.ok((await readdir(fresh)).includes('PG_VERSION'));
    const empty = await mkdtemp(join(root, 'empty-'));
    assert.equal(await unpackTemplate(empty), true);
    assert.ok((await readdir(empty)).includes('base'));
    const used = await mkdtemp(join(root, 'used-'));
    await writeFile(join(used, 'PG_VERSION'), 'mine\n');
    assert.equal(await unpackTemplate(used), false);
    assert.deepEqual(await readdir(used), ['PG_VERSION']);
    assert.equal(await readFile(join(used, 'PG_VERSION'), 'utf8'), 'mine\n');
    // Nothing is left beside the directories it unpacked into.
    assert.deepEqual((await readdir(join(root, 'not-yet'))).sort(), ['pgdata']);
  });

  it('starts a new data directory already migrated, and migrate then brings it to the current list', async () => {
    const dataDir = join(root, 'fresh');
    const client = await createPgliteClient(dataDir);
    try {
      // Before any migration runs here: initdb alone would have no such table.
      const shipped = await client.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
      assert.ok(shipped.length > 0, 'the template carries applied migrations');
      // Only PGlite's own database: initdb's two others are not shipped (two thirds of the files).
      const databases = await client.query<{ datname: string; current: boolean }>(
        'SELECT datname, datname = current_database() AS current FROM pg_database',
      );
      assert.deepEqual(
        databases.map((row) => row.current),
        [true],
      );
      await migrate(client);
      const now = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
      assert.deepEqual(now.map((row) => row.id).sort(), MIGRATIONS.map((migration) => migration.id).sort());
    } finally {
      await client.close();
    }
    // Opened again, it is the same database (not a second copy of the template).
    const again = await createPgliteClient(dataDir);
    try {
      await again.exec('CREATE TABLE kept (n int)');
    } finally {
      await again.close();
    }
    const third = await createPgliteClient(dataDir);
    try {
      assert.deepEqual(await third.query('SELECT count(*)::int AS n FROM kept'), [{ n: 0 }]);
    } finally {
      await third.close();
    }
  });
});
