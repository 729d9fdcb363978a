import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresClient, type SqlClient } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { type Server, startServer } from './harness.ts';

const MAIN = new URL('../apps/server/bin/server.mjs', import.meta.url).pathname;

/** The Shopify secret every bench connection is created with. */
export const SHOPIFY_SECRET = 'bench-shopify-secret';

export type Mode = 'server' | 'embedded';

/**
 * The V8 flags `npm start` runs the server with: a young generation of 2 × 8 MB instead of the up to
 * 2 × 64 MB V8 grows it to under load (80–90 MB of RSS; scavenges stay short, CPU per request unchanged).
 */
export const SERVER_NODE_FLAGS = '--max-semi-space-size=8';

/** A Sluice process under measurement, with its dev tenant's key and, in server mode, its schema. */
export interface SluiceProcess {
  readonly server: Server;
  readonly mode: Mode;
  /** Server mode: a client on the process's own schema (for reading jobs); null when embedded. */
  readonly db: SqlClient | null;
  /** Calls the JSON API with the dev tenant's key; throws on a non-2xx. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  readonly auth: Readonly<Record<string, string>>;
  /** The environment it was started with (a second process on the same database reuses it). */
  readonly env: Readonly<Record<string, string>>;
  /** Creates `n` commerce-orders connections and returns their ingest paths. */
  ingestPaths(n: number): Promise<string[]>;
  /**
   * Server mode: another process on the same schema and keys, running only `workers` (with `env` added to
   * its environment); stopped with this one.
   */
  startWorkers(workers: string, env?: Readonly<Record<string, string>>): Promise<Server>;
  stop(): Promise<void>;
}

export interface SluiceOptions {
  readonly mode: Mode;
  /** SLUICE_WORKERS; every default stage when absent. */
  readonly workers?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Server mode: another process on `alongside`'s database and key, created by it (no schema of its own). */
  readonly alongside?: SluiceProcess;
}

/** Starts `apps/server` as its own process: on a fresh schema (server mode) or data directory. */
export async function startSluice(options: SluiceOptions): Promise<SluiceProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  let schema: string | null = null;
  let admin: SqlClient | null = null;
  const env: Record<string, string> = {
    SLUICE_PORT: '0',
    SLUICE_DEV: '1',
    SLUICE_DATA_DIR: dataDir,
    SLUICE_LOG_LEVEL: 'warn',
    SLUICE_CONNECTION_RATE: '10000000',
    SLUICE_CONNECTION_BURST: '10000000',
    SLUICE_ALLOW_PRIVATE_TARGETS: '1',
    ...(options.workers === undefined ? {} : { SLUICE_WORKERS: options.workers }),
    ...options.env,
    NODE_OPTIONS: [SERVER_NODE_FLAGS, options.env?.['NODE_OPTIONS']].filter(Boolean).join(' '),
  };
  if (options.alongside !== undefined) {
    const shared = options.alongside.env;
    env['SLUICE_DEV'] = '0';
    env['SLUICE_DATABASE_URL'] = shared['SLUICE_DATABASE_URL'] ?? '';
    env['SLUICE_SECRET_KEY'] = shared['SLUICE_SECRET_KEY'] ?? '';
  } else if (options.mode === 'server') {
    schema = `sluice_bench_${randomBytes(4).toString('hex')}`;
    admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env['SLUICE_DATABASE_URL'] = url.toString();
    env['SLUICE_SECRET_KEY'] = randomBytes(32).toString('base64');
  }
  const server = await startServer(MAIN, env);
  const others: Server[] = [];
  const key = /(slk_[A-Za-z0-9_-]+)/.exec(server.output())?.[1];
  if (key === undefined && options.alongside === undefined) {
    throw new Error(`no dev key in the server's output:\n${server.output()}`);
  }
  const auth = options.alongside?.auth ?? {
    authorization: `Bearer ${key}`,
    'content-type': 'application/json',
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: auth,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const db =
    schema === null ? null : createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 2, schema });
  return {
    server,
    mode: options.mode,
    db,
    api,
    auth,
    env,
    async ingestPaths(n) {
      const paths: string[] = [];
      for (let i = 0; i < n; i++) {
        const created = await api<{ connection: { id: string } }>('POST', '/api/v1/connections', {
          connector_id: 'commerce-orders',
          secret: SHOPIFY_SECRET,
        });
        paths.push(`/api/v1/ingest/${created.connection.id}`);
      }
      return paths;
    },
    async startWorkers(workers, extra = {}) {
      if (schema === null) throw new Error('startWorkers: server mode only (embedded is one process)');
      const other = await startServer(MAIN, { ...env, ...extra, SLUICE_WORKERS: workers });
      others.push(other);
      return other;
    },
    async stop() {
      await Promise.all(others.map((other) => other.stop()));
      await server.stop();
      await db?.close();
      if (admin !== null) {
        await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
        await admin.close();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
