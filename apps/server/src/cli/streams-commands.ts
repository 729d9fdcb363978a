import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.ts';
import { runStreams } from '../streams-command.ts';

/** `sluice streams`: poll streams and their health, through the API. */
export function registerStreamsCommands(program: Command): void {
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
}
