#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { exampleConnectors } from '@sluice/connectors';
import { isVerificationScheme, VERIFICATION_SCHEMES, type VerificationConfig } from '@sluice/core';
import { ConnectorRegistry } from '@sluice/map';
import { signWebhook } from '@sluice/signatures';
import { Command, InvalidArgumentError } from 'commander';
import { runBackfill } from './backfill-command.ts';
import { closeOnSignal } from './close-on-signal.ts';
import { ConfigError, defaultOf, loadConfig, loadConfigWith } from './config.ts';
import { registerConnectorsNew } from './connectors-new-command.ts';
import { createKeyInStore } from './keys-command.ts';
import { runReplay } from './replay/replay-command.ts';
import { startServer } from './server.ts';
import { runStreams } from './streams-command.ts';

async function serve(overrides: Record<string, string>): Promise<void> {
  const server = await startServer(loadConfigWith(overrides));
  closeOnSignal(server);
}

const program = new Command()
  .name('sluice')
  .description('Multi-tenant event ingestion: every source becomes one envelope, stored exactly once.');

const dev = program
  .command('dev')
  .description('Run embedded (PGlite under .sluice/, no servers needed) with a dev tenant.')
  .option('-p, --port <port>', `HTTP port (default: SLUICE_PORT, else ${defaultOf('SLUICE_PORT')})`)
  .action((options: { port?: string }) =>
    serve({ ...(options.port === undefined ? {} : { SLUICE_PORT: options.port }), SLUICE_DEV: '1' }),
  );
dev
  .command('replay <fixture>')
  .description(
    "Replay recorded payloads (webhook deliveries or poll pages) through a connector's mapping against a throwaway store; fails, naming them, if a second pass emits anything.",
  )
  .requiredOption('--twice', 'run the fixture twice and check the second pass emits nothing')
  .action(async (fixture: string) => {
    process.exitCode = await runReplay(fixture, exampleConnectors, {
      write: (text) => process.stdout.write(text),
    });
  });

program
  .command('start')
  .description('Run with configuration from SLUICE_* variables (PostgreSQL when SLUICE_DATABASE_URL is set).')
  .action(() => serve({}));

const keys = program.command('keys').description('API keys.');
keys
  .command('create')
  .description(
    'Issue an API key straight into the store (a lost dev key): embedded only while the server is stopped.',
  )
  .option('--tenant <id>', 'the tenant (default: the only one, e.g. the dev tenant)')
  .option('--name <name>', 'a name to tell the key by', 'cli')
  .action(async (options: { tenant?: string; name: string }) => {
    const issued = await createKeyInStore(loadConfig(), {
      ...(options.tenant === undefined ? {} : { tenantId: options.tenant }),
      name: options.name,
    });
    process.stdout.write(
      `API key for tenant ${issued.tenant_id} (shown once, keep it):\n\n  ${issued.key}\n\n`,
    );
  });

program
  .command('streams')
  .description(
    'Poll streams and their health (status, interval and why, next run, last success and error), through the API.',
  )
  .option('--connection <id>', 'only this connection')
  .option('--status <status>', 'only ok, failing, rate_limited or paused')
  .option('--url <url>', 'the server (default: SLUICE_URL, else http://127.0.0.1:8787)')
  .option('--api-key <key>', 'an API key of the tenant (default: SLUICE_API_KEY)')
  .action(async (options: { connection?: string; status?: string; url?: string; apiKey?: string }) => {
    const config = loadConfig();
    const apiKey = options.apiKey ?? config.apiKey;
    if (apiKey === null) throw new InvalidArgumentError('Give --api-key or set SLUICE_API_KEY.');
    process.exitCode = await runStreams(
      {
        url: options.url ?? config.url,
        apiKey,
        ...(options.connection === undefined ? {} : { connection: options.connection }),
        ...(options.status === undefined ? {} : { status: options.status }),
      },
      (text) => process.stdout.write(text),
    );
  });

const connectors = program.command('connectors').description("Connectors' streams.");
registerConnectorsNew(connectors);
connectors
  .command('backfill <connector>')
  .description("Run a poll stream's handler over a past window, through the API of a running server.")
  .requiredOption('--connection <id>', 'the connection of that connector')
  .requiredOption('--stream <key>', 'a poll stream of the connector, e.g. customers')
  .requiredOption('--since <date>', 'start of the window (ISO 8601 date or time)')
  .option('--until <date>', 'end of the window (default: now)')
  .option('--mode <mode>', 'quiet: stored, never routed; live: routed at P4', (value: string) => {
    if (value !== 'quiet' && value !== 'live') throw new InvalidArgumentError('Use quiet or live.');
    return value;
  })
  .option('--url <url>', 'the server (default: SLUICE_URL, else http://127.0.0.1:8787)')
  .option('--api-key <key>', 'an API key of the tenant (default: SLUICE_API_KEY)')
  .action(
    async (
      connector: string,
      options: {
        connection: string;
        stream: string;
        since: string;
        until?: string;
        mode?: 'quiet' | 'live';
        url?: string;
        apiKey?: string;
      },
    ) => {
      const config = loadConfig();
      const apiKey = options.apiKey ?? config.apiKey;
      if (apiKey === null) throw new InvalidArgumentError('Give --api-key or set SLUICE_API_KEY.');
      if (options.mode === undefined) throw new InvalidArgumentError('Give --mode quiet or --mode live.');
      process.exitCode = await runBackfill(
        {
          connector,
          connection: options.connection,
          stream: options.stream,
          since: options.since,
          ...(options.until === undefined ? {} : { until: options.until }),
          mode: options.mode,
          url: options.url ?? config.url,
          apiKey,
        },
        { write: (text) => process.stdout.write(text), tty: process.stdout.isTTY === true },
      );
    },
  );

program
  .command('sign')
  .description('Print the headers a provider would send for a body, to try the webhook routes with curl.')
  .option(
    '--connector <id>',
    'sign the way this connector verifies (its scheme and headers), e.g. cloudevents or commerce-orders',
  )
  .option(
    '--scheme <scheme>',
    `one of ${VERIFICATION_SCHEMES.join(', ')} (when no --connector)`,
    (value: string) => {
      if (!isVerificationScheme(value))
        throw new InvalidArgumentError(`Unknown scheme; use one of ${VERIFICATION_SCHEMES.join(', ')}.`);
      return value;
    },
  )
  .requiredOption('--secret <secret>', "the connection's signing secret")
  .requiredOption('--body <file>', 'the exact body bytes to sign (a file path, or - for standard input)')
  .option('--header <name>', 'signature header for hmac-sha256', 'x-signature')
  .option('--timestamp-header <name>', 'timestamp header for hmac-sha256')
  .action(
    async (options: {
      connector?: string;
      scheme?: string;
      secret: string;
      body: string;
      header: string;
      timestampHeader?: string;
    }) => {
      const config = signingConfig(options);
      const rawBody = options.body === '-' ? await readStdin() : await readFile(options.body);
      const headers = signWebhook(config, { secret: options.secret, rawBody, nowMs: Date.now() });
      for (const [name, value] of Object.entries(headers)) process.stdout.write(`${name}: ${value}\n`);
    },
  );

/** The verification a signature must pass: a shipped connector's own, or a scheme given by hand. */
function signingConfig(options: {
  connector?: string;
  scheme?: string;
  header: string;
  timestampHeader?: string;
}): VerificationConfig {
  if (options.connector !== undefined) {
    const registry = new ConnectorRegistry(exampleConnectors);
    const connector = registry.get(options.connector);
    if (connector === null) throw new InvalidArgumentError(registry.notFound(options.connector));
    if (connector.webhook === null) {
      throw new InvalidArgumentError(`Connector "${connector.id}" receives no webhooks, so nothing to sign.`);
    }
    return connector.webhook.verify;
  }
  if (options.scheme === undefined)
    throw new InvalidArgumentError('Give --connector <id> or --scheme <scheme>.');
  return (
    options.scheme === 'hmac-sha256'
      ? {
          scheme: 'hmac-sha256',
          header: options.header,
          ...(options.timestampHeader === undefined ? {} : { timestampHeader: options.timestampHeader }),
        }
      : { scheme: options.scheme }
  ) as VerificationConfig;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
