import { randomBytes } from 'node:crypto';
import { createPostgresClient, type SqlClient } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { startRedisServer } from './redis-process.ts';

/** A PostgreSQL schema and a private Redis for server-mode processes, with the variables that point at them. */
export interface ServerModeWorld {
  /** A client on the schema, for assertions on what is stored. */
  readonly sql: SqlClient;
  readonly redisUrl: string;
  /** `SLUICE_DATABASE_URL` (the schema on the search path), a sealing key, `SLUICE_REDIS_URL`, dev off. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Creates a fresh schema named after `prefix` and starts a private redis-server; every undo is pushed onto
 * `cleanups` (run them in reverse in `after`).
 */
export async function openServerModeWorld(
  prefix: string,
  cleanups: Array<() => Promise<void>>,
): Promise<ServerModeWorld> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  cleanups.push(async () => {
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  });
  const sql = createPostgresClient({ connectionString: TEST_DATABASE_URL, schema, max: 4 });
  cleanups.push(() => sql.close());
  const redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    sql,
    redisUrl: redis.url,
    env: {
      SLUICE_DATABASE_URL: url.toString(),
      SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
      SLUICE_REDIS_URL: redis.url,
      SLUICE_DEV: '0',
    },
  };
}
