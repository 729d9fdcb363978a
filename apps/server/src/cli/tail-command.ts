import type { Envelope } from '@sluice/core';
import type { Command } from 'commander';
import { oneOf, positiveNumber } from './arguments.ts';
import { type Cli, withCli } from './cli-context.ts';
import { followEnvelopes, interruptSignal, type TailFilter } from './envelope-stream.ts';
import { clock, entityOf } from './envelope-view.ts';

/** The filter options `tail` and `listen` share. */
export function addTailOptions(command: Command): Command {
  return command
    .option('--type <pattern>', "only this event type or glob, e.g. 'order.*'")
    .option('--entity <key>', 'only this entity, e.g. order:42')
    .option('--source <source>', 'only this source')
    .option('--connection <id>', 'only this connection')
    .option('--mode <mode>', 'live or quiet', oneOf(['live', 'quiet']))
    .option('--since <position>', 'resume after this position or event id (what an earlier run printed)')
    .option('--count <n>', 'stop after this many envelopes', positiveNumber)
    .option(
      '--max-retries <n>',
      'give up after this many failed reconnections in a row (default 30)',
      positiveNumber,
    );
}

export interface TailOptions extends TailFilter {
  readonly since?: string;
  readonly count?: number;
  readonly maxRetries?: number;
}

/** Runs a follow with the options' filter, notes on stderr, and a closing note that says how to resume. */
export async function follow(
  cli: Cli,
  options: TailOptions,
  what: string,
  onEnvelope: (envelope: Envelope, position: string) => Promise<void> | void,
): Promise<void> {
  const client = await cli.client();
  const signal = interruptSignal();
  const last = await followEnvelopes(
    client,
    options,
    {
      ...(options.since === undefined ? {} : { since: options.since }),
      ...(options.count === undefined ? {} : { count: options.count }),
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      signal,
      onStatus: (text) => {
        if (text === 'connected') cli.out.note(`${what} (Ctrl-C to stop)`);
        else cli.out.note(cli.out.color.dim(text));
      },
    },
    onEnvelope,
  );
  if (last !== undefined && signal.aborted) cli.out.note(`Resume with --since ${last}`);
}

/** `sluice tail`: envelopes as they commit, from the SSE endpoint. */
export function registerTailCommand(program: Command): void {
  addTailOptions(
    program
      .command('tail')
      .description(
        'Print envelopes as they commit (live, over SSE); reconnects and resumes where it was, --since resumes a past run.',
      ),
  ).action(
    withCli(async (cli, options: TailOptions) => {
      await follow(cli, options, 'Tailing envelopes', (envelope, position) => {
        cli.out.line({ position, event: envelope }, () =>
          [
            cli.out.color.dim(clock(envelope.received_at)),
            cli.out.color.bold(envelope.event_type),
            entityOf(envelope),
            envelope.event_id,
            envelope.source,
            ...(envelope.mode === 'quiet' ? [cli.out.color.yellow('quiet')] : []),
            cli.out.color.dim(`@${position}`),
          ].join('  '),
        );
      });
    }),
  );
}
