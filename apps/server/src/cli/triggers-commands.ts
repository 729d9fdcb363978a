import type { Command } from 'commander';
import { collect, jsonArgument, oneOf, positiveNumber } from './arguments.ts';
import { type Cli, withCli } from './cli-context.ts';

interface TriggerView {
  readonly id: string;
  readonly name: string;
  readonly event_types: ReadonlyArray<string>;
  readonly condition: unknown;
  readonly priority: string | null;
  readonly action: { readonly type: string; readonly url?: string; readonly name?: string } & Record<
    string,
    unknown
  >;
  readonly enabled: boolean;
  readonly created_at: string;
  readonly updated_at: string;
}

const actionText = (a: TriggerView['action']): string =>
  a.type === 'http'
    ? `http ${a.url}`
    : a.type === 'handler'
      ? `handler ${a.name}`
      : `${a.type} ${String(a['action'] ?? '')}`.trim();

const conditionText = (c: unknown): string =>
  c === null || c === undefined ? '-' : typeof c === 'string' ? c : JSON.stringify(c);

function triggerFields(cli: Cli, t: TriggerView): string {
  return cli.out.fields([
    ['id', t.id],
    ['name', t.name],
    ['enabled', t.enabled ? cli.out.color.green('yes') : cli.out.color.yellow('no')],
    ['event types', t.event_types.join(', ')],
    ['condition', conditionText(t.condition)],
    ['priority', t.priority ?? 'by origin'],
    ['action', actionText(t.action)],
    ['created', t.created_at],
    ['updated', t.updated_at],
  ]);
}

/** Prints a trigger, and its signing secret once when the answer carries one. */
function printTrigger(cli: Cli, body: { trigger: TriggerView; secret?: string }): void {
  cli.out.result(
    body,
    () =>
      triggerFields(cli, body.trigger) +
      (body.secret === undefined
        ? ''
        : `\nDelivery signing secret (shown once, keep it):\n\n  ${cli.out.color.bold(body.secret)}\n\n`),
  );
}

const path = (id: string) => `/api/v1/triggers/${encodeURIComponent(id)}`;

/** `sluice triggers list|get|create|enable|disable|delete`. */
export function registerTriggersCommands(program: Command): void {
  const triggers = program.command('triggers').description("The tenant's triggers: envelopes → jobs.");

  triggers
    .command('list')
    .description('List triggers in creation order.')
    .option('--enabled <bool>', 'only enabled (true) or disabled (false) ones', oneOf(['true', 'false']))
    .option('--event-type <type>', 'only those with a pattern matching this event type')
    .option('--limit <n>', 'at most this many', positiveNumber, 100)
    .action(
      withCli(async (cli, options: { enabled?: string; eventType?: string; limit: number }) => {
        const client = await cli.client();
        const items = await client.list<TriggerView>(
          '/api/v1/triggers',
          { enabled: options.enabled, event_type: options.eventType },
          options.limit,
        );
        cli.out.result({ items }, () =>
          cli.out.table(
            ['ID', 'NAME', 'ENABLED', 'EVENT TYPES', 'PRIORITY', 'ACTION'],
            items.map((t) => [
              t.id,
              t.name,
              t.enabled ? 'yes' : 'no',
              t.event_types.join(','),
              t.priority ?? '-',
              actionText(t.action),
            ]),
            'No triggers.',
          ),
        );
      }),
    );

  triggers
    .command('get <id>')
    .description('Show one trigger.')
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        printTrigger(cli, await client.request('GET', path(id)));
      }),
    );

  triggers
    .command('create')
    .description(
      'Create a trigger from flags, or from a JSON body (--file), flags overriding it. Every broken rule is listed.',
    )
    .option('--file <json>', 'the trigger body, JSON or @file (see docs/api.md, Triggers)')
    .option('--name <name>', 'its name')
    .option('--event-type <pattern>', 'an event type or glob (order.*); repeat for more', collect)
    .option('--condition <text>', 'a condition, e.g. "payload.total gt 100"')
    .option('--webhook <url>', 'action: POST each event to this URL, signed per Standard Webhooks')
    .option('--format <format>', 'the http action format: envelope, cloudevents, …')
    .option('--handler <name>', 'action: run a registered operator')
    .option('--action <json>', 'any action, JSON or @file')
    .option(
      '--priority <priority>',
      'P1 … P4 (default: by the envelope’s origin)',
      oneOf(['P1', 'P2', 'P3', 'P4']),
    )
    .option('--disabled', 'create it disabled')
    .action(
      withCli(
        async (
          cli,
          options: {
            file?: string;
            name?: string;
            eventType?: string[];
            condition?: string;
            webhook?: string;
            format?: string;
            handler?: string;
            action?: string;
            priority?: string;
            disabled?: boolean;
          },
        ) => {
          const base = options.file === undefined ? {} : await jsonArgument(options.file, '--file');
          const action =
            options.action !== undefined
              ? await jsonArgument(options.action, '--action')
              : options.webhook !== undefined
                ? {
                    type: 'http',
                    url: options.webhook,
                    ...(options.format === undefined ? {} : { format: options.format }),
                  }
                : options.handler !== undefined
                  ? { type: 'handler', name: options.handler }
                  : undefined;
          const body = {
            ...base,
            ...(options.name === undefined ? {} : { name: options.name }),
            ...(options.eventType === undefined ? {} : { event_types: options.eventType }),
            ...(options.condition === undefined ? {} : { condition: options.condition }),
            ...(action === undefined ? {} : { action }),
            ...(options.priority === undefined ? {} : { priority: options.priority }),
            ...(options.disabled === true ? { enabled: false } : {}),
          };
          const client = await cli.client();
          printTrigger(cli, await client.request('POST', '/api/v1/triggers', { body }));
        },
      ),
    );

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    triggers
      .command(`${name} <id>`)
      .description(enabled ? 'Enable a trigger.' : 'Disable a trigger: the executor skips its jobs.')
      .action(
        withCli(async (cli, id: string) => {
          const client = await cli.client();
          const body = await client.request<{ trigger: TriggerView }>('PATCH', path(id), {
            body: { enabled },
          });
          cli.out.result(
            body,
            () => `${enabled ? 'Enabled' : 'Disabled'} ${body.trigger.id} (${body.trigger.name}).\n`,
          );
        }),
      );
  }

  triggers
    .command('delete <id>')
    .description('Delete a trigger for good; its jobs stay.')
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        await client.request('DELETE', path(id));
        cli.out.result({ deleted: id }, () => `Deleted ${id}.\n`);
      }),
    );
}
