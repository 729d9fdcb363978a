import { type Command, InvalidArgumentError } from 'commander';
import { runBackfill } from '../backfill-command.ts';
import { loadConfig } from '../config.ts';

/** `sluice connectors …`; returns the group, so other files can add commands to it. */
export function registerConnectorsCommands(program: Command): Command {
  const connectors = program.command('connectors').description("Connectors' streams.");
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
  return connectors;
}
