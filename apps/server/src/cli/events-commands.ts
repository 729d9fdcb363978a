import type { Envelope } from '@sluice/core';
import type { Command } from 'commander';
import { withCli } from './cli-context.ts';
import { entityOf } from './envelope-view.ts';

/** `sluice events get <id>`. */
export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description("The tenant's envelopes.");
  events
    .command('get <event-id>')
    .description('Show one envelope: its fields, then its payload.')
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        const body = await client.request<{ event: Envelope }>(
          'GET',
          `/api/v1/events/${encodeURIComponent(id)}`,
        );
        const e = body.event;
        cli.out.result(
          body,
          () =>
            cli.out.fields([
              ['event id', e.event_id],
              ['type', cli.out.color.bold(e.event_type)],
              ['source', e.source],
              ['stream', e.stream],
              ['entity', entityOf(e)],
              ['connection', e.connection_id],
              ['mode', e.mode],
              ['dedupe key', e.dedupe_key],
              ['correlation', e.correlation_id],
              ['trace', e.trace_id],
              ['occurred', e.occurred_at ?? '-'],
              ['received', e.received_at],
            ]) + `\n${JSON.stringify(e.payload, null, 2)}\n`,
        );
      }),
    );
}
