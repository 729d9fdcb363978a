import { cronConnector, exampleConnectors, platformConnector } from '@sluice/connectors';
import { generateApiKey, type PacerClock, SecretBox } from '@sluice/control';
import type { Connector, Stores, Tenant } from '@sluice/core';
import type { SqlClient } from '@sluice/store';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import type { App } from '../app.ts';
import { buildApp } from '../app.ts';
import type { AppContext } from '../app-context.ts';
import { type Config, loadConfig } from '../config.ts';
import { createContext, registerProviders } from '../create-context.ts';
import { createLogger } from '../services/logger.ts';

export const TEST_ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';

export interface TestApp {
  readonly app: App;
  readonly ctx: AppContext;
  readonly store: Stores;
  /** The database under the store, for assertions on what is stored at rest. */
  readonly sql: SqlClient;
  readonly config: Config;
  /** A new tenant and a Bearer header for its API key. */
  tenant(name?: string): Promise<{ tenant: Tenant; auth: { authorization: string } }>;
  /** The admin key's Bearer header. */
  readonly admin: { authorization: string };
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly adapter?: 'pglite' | 'postgres';
  readonly env?: Record<string, string>;
  readonly connectors?: ReadonlyArray<Connector>;
  readonly now?: () => Date;
  readonly tailIntervalMs?: number;
  /** Receives every log line of the server (debug and up), e.g. to assert that a secret is never logged. */
  readonly logStream?: { write(line: string): void };
  /** Bulk replays of at most this many answer within the request (default 100). */
  readonly replaySyncLimit?: number;
  /** How bulk replays wait between replays (a fake clock measures pacing). */
  readonly replayClock?: PacerClock;
  /** Hears of every route as it is registered. */
  readonly onRoute?: (route: {
    readonly method: string | ReadonlyArray<string>;
    readonly url: string;
  }) => void;
}

/** The whole server over a fresh test database, for `app.inject` or a real loopback `listen`. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const adapter = STORE_ADAPTERS.find((a) => a.name === (options.adapter ?? 'pglite'));
  if (adapter === undefined) throw new Error(`no store adapter ${options.adapter}`);
  const db: TestDatabase = await adapter.open();
  const store = db.store(options.now === undefined ? {} : { now: options.now });
  await store.maintenance.migrate();
  const config = loadConfig({
    SLUICE_ADMIN_KEY: TEST_ADMIN_KEY,
    SLUICE_DEV: '0',
    SLUICE_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const ctx = createContext({
    config,
    store,
    connectors: [...(options.connectors ?? exampleConnectors), platformConnector, cronConnector],
    secretBox: new SecretBox(Buffer.alloc(32, 7)),
    ...(options.now === undefined ? {} : { now: options.now }),
    tailIntervalMs: options.tailIntervalMs ?? 20,
    defaultMetrics: false,
    ...(options.replaySyncLimit === undefined ? {} : { replaySyncLimit: options.replaySyncLimit }),
    ...(options.replayClock === undefined ? {} : { replayClock: options.replayClock }),
  });
  await registerProviders(ctx);
  const app = await buildApp(ctx, {
    checkResponses: true,
    ...(options.logStream === undefined
      ? {}
      : { loggerInstance: createLogger({ logLevel: 'debug', logPretty: false }, options.logStream) }),
    ...(options.onRoute === undefined ? {} : { onRoute: options.onRoute }),
  });
  await app.ready();
  return {
    app,
    ctx,
    store,
    sql: db.client,
    config,
    admin: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    async tenant(name = 'Tenant') {
      const tenant = await store.tenancy.createTenant({ name });
      const { key, prefix, hash } = generateApiKey();
      await store.tenancy.createApiKey({ tenant_id: tenant.id, name: 'test', prefix, hash });
      return { tenant, auth: { authorization: `Bearer ${key}` } };
    },
    async close() {
      await ctx.control.replays.stop();
      await app.close();
      await db.drop();
    },
  };
}
