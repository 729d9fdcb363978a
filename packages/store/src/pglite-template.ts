import { mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract } from 'tar';

/**
 * A data directory made once, migrated, and shipped with the store as a gzipped tarball
 * (`npm run store:template` writes it). A first start on an empty directory unpacks it instead of running
 * initdb and every migration: PGlite's initdb is most of an embedded cold start, and the peak of its RSS.
 * A template older than the migrations is still right: `migrate` applies what it lacks.
 */
export const PGLITE_TEMPLATE = new URL('../template/pgdata.tar.gz', import.meta.url);

/**
 * Unpacks the template into `dataDir` when that directory is new or empty, and says whether it did
 * (false: the directory holds a database already, or no template is shipped). The files are written
 * natively, beside `dataDir`, then renamed into place: a start killed half way leaves no half database,
 * and PGlite's own `loadDataDir` (each file through its WASM file system) took twice as long and more memory.
 */
export async function unpackTemplate(dataDir: string): Promise<boolean> {
  if (!(await isEmptyOrMissing(dataDir))) return false;
  const file = fileURLToPath(PGLITE_TEMPLATE);
  await mkdir(dirname(dataDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dataDir), `.${basename(dataDir)}-template-`));
  try {
    // Synchronously: 1,130 files, and the asynchronous form's turn through the event loop for each write
    // took twice as long (910 against 400–485 ms); a first start has nothing else to run meanwhile.
    extract({ file, cwd: staging, sync: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (error as { path?: string }).path === file) {
      return false;
    }
    throw error;
  }
  await rmdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, dataDir);
  return true;
}

async function isEmptyOrMissing(dataDir: string): Promise<boolean> {
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.length === 0;
}
