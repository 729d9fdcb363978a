import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cronConnector, exampleConnectors, platformConnector } from '@sluice/connectors';
import {
  connectionForAction,
  followUpEmitter,
  generateApiKey,
  registerApiClients,
  SecretBox,
} from '@sluice/control';
import type { Stores } from '@sluice/core';
import { InProcessChangeFeed, SYSTEM_TENANT_ID } from '@sluice/core';
import { OperatorRegistry } from '@sluice/execute';
import { openStore, PostgresChangeFeed } from '@sluice/store';
import type { Logger } from 'pino';
import { type App, buildApp } from './app.ts';
import { type Config, ConfigError, loadTracingConfig } from './config.ts';
import { createContext, registerProviders } from './create-context.ts';
import { loadExtensions } from './extensions/config-file.ts';
import { lockDataDir } from './services/data-dir-lock.ts';
import { DeadLetterWatch } from './services/dead-letter-watch.ts';
import { Housekeeping } from './services/housekeeping.ts';
import { createLogger } from './services/logger.ts';
import { createMqttGateway } from './services/mqtt-gateway-service.ts';
import { busFor, StageWorkers } from './services/stage-workers.ts';
import type { Tracing } from './services/tracing.ts';

export interface RunningServer {
  readonly app: App;
  readonly store: Stores;
  /** `http://host:port` as bound (port 0 resolves to the real port). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Embedded mode keeps its AES key beside its database. Server mode is always given one: `loadConfig`
 * refuses SLUICE_DATABASE_URL without SLUICE_SECRET_KEY.
 */
async function secretBoxFor(config: Config): Promise<SecretBox> {
  if (config.secretKey !== null) return SecretBox.fromText(config.secretKey);
  const path = join(config.dataDir, 'secret.key');
  try {
    return SecretBox.fromText(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const text = SecretBox.generateKeyText();
    await writeFile(path, `${text}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    return SecretBox.fromText(text);
  }
}

/**
 * The trace SDK the OTEL_* variables ask for, or none. The SDK and its OTLP exporter (~200 modules) are
 * loaded only when an endpoint is named: without one the stages' spans are the API's no-op.
 */
async function tracingFromEnvironment(): Promise<Tracing | null> {
  const config = loadTracingConfig();
  if (config.endpoint === null) return null;
  const { tracingFromConfig } = await import('./services/tracing.ts');
  return tracingFromConfig(config);
}

/** In dev mode, a first start creates a tenant and prints its API key once. */
async function ensureDevTenant(store: Stores, out: NodeJS.WritableStream): Promise<void> {
  const tenants = (await store.tenancy.listTenants()).filter((t) => t.id !== SYSTEM_TENANT_ID);
  if (tenants.length > 0) return;
  const tenant = await store.tenancy.createTenant({ name: 'Dev tenant' });
  const { key, prefix, hash } = generateApiKey();
  await store.tenancy.createApiKey({ tenant_id: tenant.id, name: 'dev', prefix, hash });
  out.write(
    `\nCreated dev tenant ${tenant.id}. Its API key (shown once, keep it):\n\n  ${key}\n\n` +
      'Lost it? Stop the server and run `npm run sluice -- keys create` for another.\n\n',
  );
}

/** config → store → connectors → context → HTTP: opens everything, migrates, and listens. */
export async function startServer(
  config: Config,
  options: {
    log?: Logger;
    out?: NodeJS.WritableStream;
    cwd?: string;
    /** The trace SDK to use; from the OTEL_* variables when absent (none when they name no endpoint). */
    tracing?: Tracing | null;
  } = {},
): Promise<RunningServer> {
  // How long each phase of a start took, logged once listening. performance.now() counts from the
  // process's start, so the first phase is Node's own start and the loading of every module.
  let last = performance.now();
  const startup: Record<string, number> = { modules: Math.round(last) };
  const mark = (phase: string) => {
    const now = performance.now();
    startup[phase] = Math.round(now - last);
    last = now;
  };
  const log = options.log ?? createLogger(config);
  const tracing = options.tracing === undefined ? await tracingFromEnvironment() : options.tracing;
  const out = options.out ?? process.stdout;
  // The config file's connectors and operators, validated before anything is opened.
  const shipped = [...exampleConnectors, platformConnector, cronConnector];
  const extensions = await loadExtensions({
    configured: config.configFile,
    cwd: options.cwd ?? process.cwd(),
    reservedConnectorIds: shipped.map((connector) => connector.id),
  });
  if (extensions.file !== null) {
    log.info(
      {
        file: extensions.file,
        connectors: extensions.connectors.map((c) => c.id),
        operators: extensions.operators.map((o) => o.name),
      },
      'config file loaded',
    );
  }
  await mkdir(config.dataDir, { recursive: true });
  const unlock =
    config.databaseUrl === null ? await lockDataDir(join(config.dataDir, 'pgdata.lock')) : async () => {};
  let store: Stores;
  let secretBox: SecretBox;
  try {
    secretBox = await secretBoxFor(config);
    store = await openStore(
      config.databaseUrl === null
        ? {
            kind: 'pglite',
            dataDir: join(config.dataDir, 'pgdata'),
            recovery: {
              onStateChange: (change) =>
                change.state === 'unwritable'
                  ? log.error(change, 'the embedded store cannot write its data directory; answering 503')
                  : log.warn(change, 'the embedded store writes again'),
            },
          }
        : {
            kind: 'postgres',
            connectionString: config.databaseUrl,
            preparedStatements: config.databasePreparedStatements,
          },
    );
    mark('store');
  } catch (error) {
    await unlock();
    await tracing?.shutdown();
    throw error;
  }
  const closers: Array<() => Promise<void>> = [];
  try {
    // Server mode: several processes share one database, so changes travel over LISTEN/NOTIFY.
    const changes =
      config.databaseUrl === null
        ? new InProcessChangeFeed()
        : await PostgresChangeFeed.open({
            connectionString: config.databaseUrl,
            onError: (error) => log.warn({ err: error }, 'change feed connection lost; reconnecting'),
          });
    closers.push(() => changes.close());
    let nudge = (): void => {};
    const ctx = createContext({
      config,
      store,
      connectors: [...exampleConnectors, ...extensions.connectors, platformConnector, cronConnector],
      secretBox,
      changes,
      log,
      onCommitted: () => nudge(),
    });
    const receiver = config.workers.includes('receiver');
    if (config.redisUrl === null && config.databaseUrl !== null && config.workers.includes('relay')) {
      log.warn(
        'server mode with the in-process bus: each process routes only what its own relay claims, so run one process, or set SLUICE_REDIS_URL to share the bus',
      );
    }
    const workers = new StageWorkers({
      config,
      bus: await busFor(config),
      store,
      changes,
      metrics: ctx.metrics,
      log,
      secretBox,
      fact: (tenantId, event) => ctx.platform.fact(tenantId, event),
      policy: ctx.actionPolicy,
      actions: {
        connectors: ctx.connectors,
        connectionFor: connectionForAction({ connections: store.connections, secretBox }),
        operators: new OperatorRegistry(extensions.operators),
        emit: followUpEmitter({ connections: store.connections, ingestor: ctx.ingestor }),
      },
    });
    // Stopped before the change feed and the store close (closers run in order).
    closers.unshift(() => workers.stop());
    nudge = () => workers.nudge();
    const app = await buildApp(ctx, { loggerInstance: log, api: receiver });
    mark('app');
    const housekeeping = new Housekeeping({
      store,
      intervalMs: config.sweepIntervalMs,
      deadLetterRetentionMs: config.deadLetterRetentionMs,
      statisticsIntervalMs: config.statisticsIntervalMs,
      onAnalyzed: (tables) => log.debug({ tables }, 'planner statistics refreshed'),
      onVacuumed: (tables) => log.debug({ tables }, 'tables vacuumed (autovacuum does not run here)'),
      onError: (error) => log.warn({ err: error }, 'housekeeping pass failed; the next one retries'),
    });
    app.addHook('onClose', () => housekeeping.stop());
    const deadLetterWatch = new DeadLetterWatch({
      store,
      metrics: ctx.metrics,
      alerts: ctx.control.depthAlerts,
      policies: ctx.control.replayPolicies,
      intervalMs: config.deadLetterCheckMs,
      onError: (error) => log.warn({ err: error }, 'dead-letter check failed; the next one retries'),
    });
    app.addHook('onClose', async () => {
      await deadLetterWatch.stop();
      await ctx.control.replays.stop();
    });
    const mqtt = config.workers.includes('mqtt') ? createMqttGateway(ctx, { log }) : null;
    if (mqtt !== null) app.addHook('onClose', () => mqtt.stop());
    app.addHook('onClose', () => ctx.poll.stop());
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new ConfigError(
          `${config.host}:${config.port} is already in use; set SLUICE_PORT to another port.`,
        );
      }
      throw error;
    }
    // Only once listening: a key printed before a failed listen (port taken) would be shown and lost. Before
    // the stages start: their first passes would queue ahead of it on the embedded store.
    if (config.dev && receiver) await ensureDevTenant(store, out);
    housekeeping.start();
    deadLetterWatch.start();
    await mqtt?.start();
    await workers.start();
    // Backfills a crash interrupted resume from their last committed page, in the background: the start
    // does not wait for its first lease round, which queued behind the stages' first passes on the embedded
    // store (39-116 ms of a first start). A failed round is logged and the next one retries.
    ctx.backfills
      .start()
      .catch((error: unknown) =>
        log.warn({ err: error }, 'resuming backfills failed; the next lease round retries'),
      );
    // Poll streams and cron schedules, where SLUICE_WORKERS names the scheduler; any number of processes
    // share them through leases in the store.
    if (config.workers.includes('scheduler')) ctx.poll.start();
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    const mode =
      config.databaseUrl === null ? `embedded PGlite in ${join(config.dataDir, 'pgdata')}` : 'PostgreSQL';
    mark('listen');
    log.info({ startup_ms: startup }, 'started');
    out.write(`Sluice listening on ${url} (${mode})\n`);
    if (receiver) out.write(`Dashboard: ${url}/dashboard (sign in with a tenant API key)\n`);
    // The connectors' registrations are facts for the system tenant that no request waits for: they
    // commit once the server answers (before, they were a fifth of a first start), side by side so that
    // they share group commits. One that fails is logged, and the next start publishes what is missing.
    const registering = receiver
      ? Promise.all([
          registerProviders(ctx),
          registerApiClients({ connectors: ctx.connectors, platform: ctx.platform, events: store.events }),
        ]).then(
          () => undefined,
          (error: unknown) =>
            log.error({ err: error }, 'registering the connectors failed; the next start publishes them'),
        )
      : Promise.resolve();
    closers.unshift(() => registering);
    return {
      app,
      store,
      url,
      async close() {
        await app.close();
        for (const close of closers) await close();
        await store.maintenance.close();
        await unlock();
        // Last: the stages' final spans are exported before the SDK goes.
        await tracing?.shutdown();
      },
    };
  } catch (error) {
    for (const close of closers) await close();
    await store.maintenance.close();
    await unlock();
    await tracing?.shutdown();
    throw error;
  }
}
