import { readdir, readFile } from 'node:fs/promises';

/**
 * A data directory made once, migrated, and shipped with the store as a gzipped tarball
 * (`npm run store:template` writes it). A first start on an empty directory loads it instead of running
 * initdb and every migration: PGlite's initdb is most of an embedded cold start, and the peak of its RSS.
 * A template older than the migrations is still right: `migrate` applies what it lacks.
 */
export const PGLITE_TEMPLATE = new URL('../template/pgdata.tar.gz', import.meta.url);

/** The template as PGlite's `loadDataDir` takes it, when `dataDir` is new or empty; null otherwise. */
export async function templateFor(dataDir: string): Promise<Blob | null> {
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) return null;
  try {
    return new Blob([await readFile(PGLITE_TEMPLATE)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
