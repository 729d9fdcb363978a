/**
 * `npm run store:template` runs this file: it writes packages/store/template/pgdata.tar.gz, a PGlite data directory with
 * every migration applied, which a first embedded start loads instead of running initdb. Run it after
 * adding a migration or upgrading PGlite (a stale template still works: the missing migrations run at start).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from './migrator.ts';
import { pgliteClientOf } from './pglite-client.ts';
import { PGLITE_TEMPLATE } from './pglite-template.ts';

// From initdb, not from the template this replaces: a PGlite in memory, migrated, then dumped.
const db = new PGlite();
await db.waitReady;
const client = pgliteClientOf(db);
const { applied } = await migrate(client);
// The store lives in PGlite's own database; initdb's two others are dropped: nothing connects to them,
// and they were two thirds of the files every first start unpacks.
const others = await db.query<{ datname: string }>(
  'SELECT datname FROM pg_database WHERE datname <> current_database()',
);
for (const { datname } of others.rows) {
  await db.exec(`ALTER DATABASE "${datname}" IS_TEMPLATE false`);
  await db.exec(`DROP DATABASE "${datname}"`);
}
await db.exec('CHECKPOINT');
const migrated = await db.dumpDataDir('gzip');
await db.close();
// Opened once more before it is shipped: a backend's start writes the relation cache's init files
// (`pg_internal.init`), which the migrations' DDL removed; without them every first start rebuilt them
// from the catalogs.
const reopened = new PGlite({ loadDataDir: migrated });
await reopened.waitReady;
await reopened.query('SELECT 1');
await reopened.exec('CHECKPOINT');
const dump = await reopened.dumpDataDir('gzip');
await reopened.close();
await mkdir(new URL('.', PGLITE_TEMPLATE), { recursive: true });
await writeFile(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
process.stdout.write(`wrote ${PGLITE_TEMPLATE.pathname}: ${applied.length} migrations, ${dump.size} bytes\n`);
