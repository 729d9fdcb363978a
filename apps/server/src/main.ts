import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exampleConnectors, platformConnector } from '@sluice/connectors';
import { openStore } from '@sluice/store';
import pino from 'pino';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createContext, registerProviders } from './create-context.ts';
import { generateApiKey } from './services/api-keys.ts';
import { SYSTEM_TENANT_ID } from './services/platform-events.ts';
import { SecretBox } from './services/secret-box.ts';

/** Embedded mode keeps its AES key beside its database; server mode must be given one. */
async function secretBoxFor(config: Config): Promise<SecretBox> {
  if (config.secretKey !== null) return SecretBox.fromText(config.secretKey);
  if (config.databaseUrl !== null) {
    throw new ConfigError(
      'SLUICE_SECRET_KEY is required with SLUICE_DATABASE_URL (32 bytes, base64 or hex).',
    );
  }
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

async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel, redact: ['req.headers.authorization', 'secret', '*.secret'] });
  await mkdir(config.dataDir, { recursive: true });
  const secretBox = await secretBoxFor(config);
  const store = await openStore(
    config.databaseUrl === null
      ? { kind: 'pglite', dataDir: join(config.dataDir, 'pgdata') }
      : { kind: 'postgres', connectionString: config.databaseUrl },
  );
  const ctx = createContext({
    config,
    store,
    connectors: [...exampleConnectors, platformConnector],
    platformConnectorId: platformConnector.id,
    secretBox,
    log,
  });
  await registerProviders(ctx);

  if (config.dev) {
    const tenants = (await store.listTenants()).filter((t) => t.id !== SYSTEM_TENANT_ID);
    if (tenants.length === 0) {
      const tenant = await store.createTenant({ name: 'Dev tenant' });
      const { key, prefix, hash } = generateApiKey();
      await store.createApiKey({ tenant_id: tenant.id, name: 'dev', prefix, hash });
      process.stdout.write(
        `\nCreated dev tenant ${tenant.id}. Its API key (shown once, keep it):\n\n  ${key}\n\n`,
      );
    }
  }

  const app = await buildApp(ctx, { loggerInstance: log });
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
  const mode =
    config.databaseUrl === null ? `embedded PGlite in ${join(config.dataDir, 'pgdata')}` : 'PostgreSQL';
  process.stdout.write(`Sluice listening on http://${config.host}:${config.port} (${mode})\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Sluice failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
