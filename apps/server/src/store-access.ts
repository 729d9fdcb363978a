import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stores } from '@sluice/core';
import { openStore } from '@sluice/store';
import { type Config, ConfigError } from './config.ts';
import { lockDataDir } from './services/data-dir-lock.ts';

/**
 * Runs `work` on the store a command names, opened as the server opens it: an embedded data directory only
 * while no server holds it (`what` says what to do instead), PostgreSQL at any time. Closes it after.
 */
export async function withStore<T>(
  config: Config,
  what: string,
  work: (store: Stores) => Promise<T>,
): Promise<T> {
  const embedded = config.databaseUrl === null;
  if (embedded) await mkdir(config.dataDir, { recursive: true });
  const unlock = embedded
    ? await lockDataDir(join(config.dataDir, 'pgdata.lock')).catch((error: unknown) => {
        throw new ConfigError(
          `${error instanceof Error ? error.message : String(error)} Stop the server first: ` +
            `the embedded store is one process’s${what === '' ? '' : `, or ${what}`}.`,
        );
      })
    : async () => {};
  try {
    const store = await openStore(
      embedded
        ? { kind: 'pglite', dataDir: join(config.dataDir, 'pgdata') }
        : {
            kind: 'postgres',
            connectionString: config.databaseUrl,
            preparedStatements: config.databasePreparedStatements,
          },
    );
    try {
      return await work(store);
    } finally {
      await store.maintenance.close();
    }
  } finally {
    await unlock();
  }
}
