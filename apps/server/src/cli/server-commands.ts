import type { Command } from 'commander';
import { withCli } from './cli-context.ts';

/** Starts the server with the environment's configuration plus `overrides`, until a signal stops it. */
async function serve(overrides: Record<string, string>): Promise<void> {
  // Imported here, not above: the API client commands never load the server.
  const [{ loadConfigWith }, { startServer }, { closeOnSignal }, { tuneHeap }] = await Promise.all([
    import('../config.ts'),
    import('../server.ts'),
    import('../close-on-signal.ts'),
    import('../heap-tuning.ts'),
  ]);
  tuneHeap();
  const server = await startServer(loadConfigWith(overrides));
  closeOnSignal(server);
}

/** `sluice dev`, `sluice dev replay`, `sluice start`, `sluice migrate`: the commands that run Sluice itself. */
export function registerServerCommands(program: Command): void {
  const dev = program
    .command('dev')
    .description('Run embedded (PGlite under .sluice/, no servers needed) with a dev tenant.')
    .option('-p, --port <port>', 'HTTP port (default: SLUICE_PORT, else 8787)')
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
      const [{ exampleConnectors }, { runReplay }] = await Promise.all([
        import('@sluice/connectors'),
        import('../replay/replay-command.ts'),
      ]);
      process.exitCode = await runReplay(fixture, exampleConnectors, {
        write: (text) => process.stdout.write(text),
      });
    });

  program
    .command('start')
    .description(
      'Run with configuration from SLUICE_* variables (PostgreSQL when SLUICE_DATABASE_URL is set).',
    )
    .action(() => serve({}));

  program
    .command('migrate')
    .description(
      'Bring the store (SLUICE_DATABASE_URL, else the embedded one) to the current schema, then exit; embedded only while the server is stopped.',
    )
    .action(
      withCli(async (cli) => {
        const [{ withStore }, { loadConfig }] = await Promise.all([
          import('../store-access.ts'),
          import('../config.ts'),
        ]);
        await withStore(loadConfig(), '', (store) => store.maintenance.migrate());
        cli.out.result({ migrated: true }, () => 'The store is migrated.\n');
      }),
    );
}
