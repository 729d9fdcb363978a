import type { Command } from 'commander';
import { oneOf } from './arguments.ts';
import { runBackfill } from './backfill-command.ts';
import { withCli } from './cli-context.ts';

interface ConnectorView {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly verification: string | null;
  readonly cloudevents: boolean;
  readonly streams: ReadonlyArray<{ readonly key: string; readonly mode: string }>;
}

/** `sluice connectors list|backfill`; returns the group, so other files can add commands to it. */
export function registerConnectorsCommands(program: Command): Command {
  const connectors = program.command('connectors').description('Connectors and their streams.');

  connectors
    .command('list')
    .description('The connectors the server has: streams, verification, CloudEvents.')
    .action(
      withCli(async (cli) => {
        const client = await cli.client();
        const body = await client.request<{ items: ConnectorView[] }>('GET', '/api/v1/connectors');
        cli.out.result(body, () =>
          cli.out.table(
            ['ID', 'VERSION', 'VERIFICATION', 'CLOUDEVENTS', 'STREAMS'],
            body.items.map((c) => [
              c.id,
              c.version,
              c.verification ?? '-',
              c.cloudevents ? 'yes' : 'no',
              c.streams.map((s) => `${s.key} (${s.mode})`).join(', '),
            ]),
            'No connectors.',
          ),
        );
      }),
    );

  connectors
    .command('backfill <connector>')
    .description("Run a poll stream's handler over a past window, through the API of a running server.")
    .requiredOption('--connection <id>', 'the connection of that connector')
    .requiredOption('--stream <key>', 'a poll stream of the connector, e.g. customers')
    .requiredOption('--since <date>', 'start of the window (ISO 8601 date or time)')
    .option('--until <date>', 'end of the window (default: now)')
    .requiredOption(
      '--mode <mode>',
      'quiet: stored, never routed; live: routed at P4',
      oneOf(['quiet', 'live']),
    )
    .action(
      withCli(
        async (
          cli,
          connector: string,
          options: {
            connection: string;
            stream: string;
            since: string;
            until?: string;
            mode: 'quiet' | 'live';
          },
        ) =>
          runBackfill(
            {
              connector,
              connection: options.connection,
              stream: options.stream,
              since: options.since,
              ...(options.until === undefined ? {} : { until: options.until }),
              mode: options.mode,
            },
            await cli.client(),
            cli.out,
          ),
      ),
    );
  return connectors;
}
