import type { Command } from 'commander';
import { withCli } from './cli-context.ts';

/** `sluice keys create`: straight into the store, not through the API. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('API keys.');
  keys
    .command('create')
    .description(
      'Issue an API key straight into the store (a lost dev key): embedded only while the server is stopped.',
    )
    .option('--tenant <id>', 'the tenant (default: the only one, e.g. the dev tenant)')
    .option('--name <name>', 'a name to tell the key by', 'cli')
    .action(
      withCli(async (cli, options: { tenant?: string; name: string }) => {
        const [{ createKeyInStore }, { loadConfig }] = await Promise.all([
          import('../keys-command.ts'),
          import('../config.ts'),
        ]);
        const issued = await createKeyInStore(loadConfig(), {
          ...(options.tenant === undefined ? {} : { tenantId: options.tenant }),
          name: options.name,
        });
        cli.out.result(
          { api_key: issued },
          () => `API key for tenant ${issued.tenant_id} (shown once, keep it):\n\n  ${issued.key}\n\n`,
        );
      }),
    );
}
