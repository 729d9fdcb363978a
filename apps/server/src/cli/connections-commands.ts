import type { Command } from 'commander';
import { jsonArgument, wholeNumber } from './arguments.ts';
import { type Cli, withCli } from './cli-context.ts';

interface ConnectionView {
  readonly id: string;
  readonly connector_id: string;
  readonly name: string;
  readonly status: string;
  readonly created_at: string;
  readonly retired_at: string | null;
  readonly ingest_url: string;
  readonly webhook_url: string;
  readonly config: Record<string, unknown>;
}

function connectionFields(cli: Cli, c: ConnectionView): string {
  return cli.out.fields([
    ['id', c.id],
    ['connector', c.connector_id],
    ['name', c.name],
    ['status', c.status === 'active' ? cli.out.color.green(c.status) : cli.out.color.yellow(c.status)],
    ['created', c.created_at],
    ...(c.retired_at === null ? [] : [['retired', c.retired_at] as const]),
    ['ingest url', c.ingest_url],
    ['webhook url', c.webhook_url],
    ['config', JSON.stringify(c.config)],
  ]);
}

/** `sluice connections list|get|create|test|rotate|retire`. */
export function registerConnectionsCommands(program: Command): void {
  const connections = program.command('connections').description("The tenant's connections.");

  connections
    .command('list')
    .description('List connections.')
    .option('--connector <id>', 'only of this connector')
    .option('--status <status>', 'active or retired')
    .action(
      withCli(async (cli, options: { connector?: string; status?: string }) => {
        const client = await cli.client();
        const body = await client.request<{ items: ConnectionView[] }>('GET', '/api/v1/connections', {
          query: { connector_id: options.connector, status: options.status },
        });
        cli.out.result(body, () =>
          cli.out.table(
            ['ID', 'CONNECTOR', 'NAME', 'STATUS', 'CREATED'],
            body.items.map((c) => [c.id, c.connector_id, c.name, c.status, c.created_at]),
            'No connections.',
          ),
        );
      }),
    );

  connections
    .command('get <id>')
    .description('Show one connection (never its secret).')
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        const body = await client.request<{ connection: ConnectionView }>(
          'GET',
          `/api/v1/connections/${encodeURIComponent(id)}`,
        );
        cli.out.result(body, () => connectionFields(cli, body.connection));
      }),
    );

  connections
    .command('create <connector>')
    .description('Create a connection; prints its ingest URL, and the signing secret once when generated.')
    .option('--name <name>', 'a name (default: the connector id)')
    .option('--secret <secret>', "the provider's signing secret (default: generated, shown once)")
    .option('--config <json>', 'the connection config, JSON or @file')
    .option('--workspace <id>', 'a workspace of the tenant')
    .action(
      withCli(
        async (
          cli,
          connector: string,
          options: { name?: string; secret?: string; config?: string; workspace?: string },
        ) => {
          const client = await cli.client();
          const body = await client.request<{ connection: ConnectionView; secret?: string }>(
            'POST',
            '/api/v1/connections',
            {
              body: {
                connector_id: connector,
                ...(options.name === undefined ? {} : { name: options.name }),
                ...(options.secret === undefined ? {} : { secret: options.secret }),
                ...(options.config === undefined
                  ? {}
                  : { config: await jsonArgument(options.config, '--config') }),
                ...(options.workspace === undefined ? {} : { workspace_id: options.workspace }),
              },
            },
          );
          cli.out.result(
            body,
            () =>
              connectionFields(cli, body.connection) +
              (body.secret === undefined
                ? ''
                : `\nSigning secret (shown once, keep it):\n\n  ${cli.out.color.bold(body.secret)}\n\n`),
          );
        },
      ),
    );

  connections
    .command('test <id>')
    .description("Run the connector's health probe with the connection's config; exits 1 when it fails.")
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        const body = await client.request<{ connection_id: string; ok: boolean; message: string }>(
          'POST',
          `/api/v1/connections/${encodeURIComponent(id)}/test`,
        );
        cli.out.result(
          body,
          () =>
            `${body.ok ? cli.out.color.green('ok') : cli.out.color.red('failed')}: ${body.connection_id}: ${body.message}\n`,
        );
        return body.ok ? 0 : 1;
      }),
    );

  connections
    .command('rotate <id>')
    .description('Rotate the signing secret; the previous one keeps verifying for the overlap.')
    .option('--secret <secret>', 'the new secret (default: generated, shown once)')
    .option(
      '--overlap <seconds>',
      'how long the previous secret keeps verifying (default 86400)',
      wholeNumber,
    )
    .action(
      withCli(async (cli, id: string, options: { secret?: string; overlap?: number }) => {
        const client = await cli.client();
        const body = await client.request<{
          connection_id: string;
          previous_secret_expires_at: string | null;
          secret?: string;
        }>('POST', `/api/v1/connections/${encodeURIComponent(id)}/rotate-secret`, {
          body: {
            ...(options.secret === undefined ? {} : { secret: options.secret }),
            ...(options.overlap === undefined ? {} : { overlap_seconds: options.overlap }),
          },
        });
        cli.out.result(
          body,
          () =>
            `Rotated the secret of ${body.connection_id}; the previous one verifies until ${body.previous_secret_expires_at ?? 'now'}.\n` +
            (body.secret === undefined
              ? ''
              : `\nNew signing secret (shown once, keep it):\n\n  ${cli.out.color.bold(body.secret)}\n\n`),
        );
      }),
    );

  connections
    .command('retire <id>')
    .description('Retire a connection: it accepts nothing afterwards.')
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        const body = await client.request<{ connection: ConnectionView }>(
          'POST',
          `/api/v1/connections/${encodeURIComponent(id)}/retire`,
        );
        cli.out.result(body, () => `Retired ${body.connection.id} at ${body.connection.retired_at}.\n`);
      }),
    );
}
