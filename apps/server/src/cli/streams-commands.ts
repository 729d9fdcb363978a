import type { Command } from 'commander';
import { oneOf } from './arguments.ts';
import { withCli } from './cli-context.ts';
import { type StreamView, streamsTable } from './streams-table.ts';

/** `sluice streams`: poll streams and their health, through the API. */
export function registerStreamsCommands(program: Command): void {
  program
    .command('streams')
    .description(
      'Poll streams and their health (status, interval and why, next run, last success and error), through the API.',
    )
    .option('--connection <id>', 'only this connection')
    .option(
      '--status <status>',
      'only ok, failing, rate_limited or paused',
      oneOf(['ok', 'failing', 'rate_limited', 'paused']),
    )
    .action(
      withCli(async (cli, options: { connection?: string; status?: string }) => {
        const client = await cli.client();
        const body = await client.request<{ items: StreamView[] }>('GET', '/api/v1/streams', {
          query: { connection_id: options.connection, status: options.status },
        });
        cli.out.result(body, () => streamsTable(cli.out, body.items));
      }),
    );
}
