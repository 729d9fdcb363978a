import type { Command } from 'commander';
import type { ApiClient } from './api-client.ts';
import { collect, oneOf, positiveNumber } from './arguments.ts';
import { type Cli, withCli } from './cli-context.ts';
import { progressBar } from './progress.ts';

interface DeadLetterView {
  readonly id: string;
  readonly kind: 'ingest' | 'job';
  readonly job_id: string | null;
  readonly connector: string;
  readonly connection_id: string | null;
  readonly event_payload: unknown;
  readonly error_message: string;
  readonly error_context: unknown;
  readonly created_at: string;
  readonly retry_count: number;
  readonly status: string;
}

interface ReplayView {
  readonly id: string;
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly total: number;
  /** Replayed so far. */
  readonly done: number;
  /** Failed so far (not counted in `done`). */
  readonly failed: number;
  readonly errors: ReadonlyArray<{ readonly id: string; readonly error: { code: string; message: string } }>;
  readonly error: string | null;
}

interface SyncReplay {
  readonly replayed: ReadonlyArray<{
    readonly id: string;
    readonly event_ids?: string[];
    readonly job_id?: string;
  }>;
  readonly failed: ReadonlyArray<{ readonly id: string; readonly error: { code: string; message: string } }>;
}

/** The filter keys of bulk replay and purge, and the names the CLI also takes for them. */
const FILTER_KEYS = ['kind', 'connector', 'since', 'until', 'trigger_id'] as const;
const ALIASES: Readonly<Record<string, (typeof FILTER_KEYS)[number]>> = { trigger: 'trigger_id' };

/** `--filter kind=job --filter connector=stripe` or `--filter kind=job,connector=stripe` as an object. */
export function parseFilter(values: ReadonlyArray<string>): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const part of values.flatMap((v) => v.split(','))) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const name = ALIASES[key] ?? key;
    if (at < 1 || !(FILTER_KEYS as ReadonlyArray<string>).includes(name)) {
      throw new Error(
        `--filter ${JSON.stringify(part)}: use key=value with a key of ${FILTER_KEYS.join(', ')}.`,
      );
    }
    filter[name] = part.slice(at + 1).trim();
  }
  return filter;
}

const STALL_MS = 60_000;

/** Follows a background bulk replay to its end, a bar on a terminal; gives up after a minute without progress. */
async function followReplay(
  cli: Cli,
  client: ApiClient,
  started: ReplayView,
  intervalMs = 250,
): Promise<ReplayView> {
  const bar = progressBar(
    cli.out,
    'replaying [{bar}] {value}/{total} · {failed} failed · {duration_formatted}',
  );
  let view = started;
  let lastSeen = -1;
  let lastMove = Date.now();
  try {
    while (view.status === 'running') {
      const seen = view.done + view.failed;
      bar.update(seen, view.total, { failed: view.failed });
      if (seen !== lastSeen) {
        lastSeen = seen;
        lastMove = Date.now();
      } else if (Date.now() - lastMove > STALL_MS) {
        throw new Error(
          `Replay ${view.id} made no progress for ${STALL_MS / 1000} s (${view.done + view.failed}/${view.total}); it may still run on the server.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      view = (
        await client.request<{ replay: ReplayView }>(
          'GET',
          `/api/v1/dead-letters/replays/${encodeURIComponent(view.id)}`,
        )
      ).replay;
    }
  } finally {
    bar.stop();
  }
  return view;
}

/** `sluice dlq list|show|replay|purge`. */
export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('Dead letters: deliveries that could not be mapped, jobs that failed for good.');

  dlq
    .command('list')
    .description('List dead letters.')
    .option('--status <status>', 'pending, replayed or expired', oneOf(['pending', 'replayed', 'expired']))
    .option('--kind <kind>', 'ingest or job', oneOf(['ingest', 'job']))
    .option('--connector <id>', 'only of this connector')
    .option('--trigger <id>', "only job dead letters of this trigger's jobs")
    .option('--since <time>', 'created at or after (RFC 3339)')
    .option('--until <time>', 'created before (RFC 3339)')
    .option('--limit <n>', 'at most this many', positiveNumber, 100)
    .action(
      withCli(
        async (
          cli,
          options: {
            status?: string;
            kind?: string;
            connector?: string;
            trigger?: string;
            since?: string;
            until?: string;
            limit: number;
          },
        ) => {
          const client = await cli.client();
          const items = await client.list<DeadLetterView>(
            '/api/v1/dead-letters',
            {
              status: options.status,
              kind: options.kind,
              connector: options.connector,
              trigger_id: options.trigger,
              since: options.since,
              until: options.until,
            },
            options.limit,
          );
          cli.out.result({ items }, () =>
            cli.out.table(
              ['ID', 'KIND', 'STATUS', 'CONNECTOR', 'RETRIES', 'CREATED', 'ERROR'],
              items.map((d) => [
                d.id,
                d.kind,
                d.status,
                d.connector,
                String(d.retry_count),
                d.created_at,
                d.error_message.length > 60 ? `${d.error_message.slice(0, 59)}…` : d.error_message,
              ]),
              'No dead letters.',
            ),
          );
        },
      ),
    );

  dlq
    .command('show <id>')
    .description('Show a dead letter: why it failed, and what it holds.')
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        const body = await client.request<{ dead_letter: DeadLetterView }>(
          'GET',
          `/api/v1/dead-letters/${encodeURIComponent(id)}`,
        );
        const d = body.dead_letter;
        cli.out.result(
          body,
          () =>
            cli.out.fields([
              ['id', d.id],
              ['kind', d.kind],
              ['status', d.status],
              ['connector', d.connector],
              ['connection', d.connection_id ?? '-'],
              ['job', d.job_id ?? '-'],
              ['retries', String(d.retry_count)],
              ['created', d.created_at],
              ['error', cli.out.color.red(d.error_message)],
            ]) +
            `\ncontext:\n${JSON.stringify(d.error_context, null, 2)}\n\npayload:\n${JSON.stringify(d.event_payload, null, 2)}\n`,
        );
      }),
    );

  dlq
    .command('replay [id]')
    .description(
      'Replay one dead letter, or every pending one matching --filter (paced; a bar follows a long run).',
    )
    .option('--filter <key=value>', `bulk: ${FILTER_KEYS.join(', ')} (repeat, or comma-separate)`, collect)
    .option('--dry-run', 'bulk: count what would be replayed, change nothing')
    .option('--limit <n>', 'bulk: replay at most this many, oldest first', positiveNumber)
    .option('--rate <n>', 'bulk: replays per second (default: the server’s, 10)', positiveNumber)
    .action(
      withCli(
        async (
          cli,
          id: string | undefined,
          options: { filter?: string[]; dryRun?: boolean; limit?: number; rate?: number },
        ) => {
          if (id !== undefined && options.filter !== undefined) {
            throw new Error('Give a dead-letter id or --filter, not both.');
          }
          const client = await cli.client();
          if (id !== undefined) {
            if (options.dryRun === true)
              throw new Error('--dry-run counts a bulk replay: use it with --filter.');
            const body = await client.request<{ dead_letter: DeadLetterView; job?: { id: string } }>(
              'POST',
              `/api/v1/dead-letters/${encodeURIComponent(id)}/replay`,
            );
            cli.out.result(
              body,
              () =>
                `Replayed ${body.dead_letter.id} (${body.dead_letter.kind})${body.job === undefined ? '' : `: job ${body.job.id} queued again`}.\n`,
            );
            return 0;
          }
          if (options.filter === undefined) {
            throw new Error(
              `Give a dead-letter id, or --filter with at least one of ${FILTER_KEYS.join(', ')}.`,
            );
          }
          const filter = parseFilter(options.filter);
          const answer = await client.request<
            { dry_run: true; count: number } | SyncReplay | { replay: ReplayView }
          >('POST', '/api/v1/dead-letters/replay', {
            body: {
              filter,
              ...(options.dryRun === true ? { dry_run: true } : {}),
              ...(options.limit === undefined ? {} : { limit: options.limit }),
              ...(options.rate === undefined ? {} : { rate_per_second: options.rate }),
            },
          });
          if ('dry_run' in answer) {
            cli.out.result(
              answer,
              () => `Would replay ${answer.count} dead letters (dry run, nothing changed).\n`,
            );
            return 0;
          }
          if ('replayed' in answer) {
            cli.out.result(answer, () => {
              const lines = [`Replayed ${answer.replayed.length}, failed ${answer.failed.length}.`];
              for (const f of answer.failed) lines.push(`  ${f.id}: ${f.error.code}: ${f.error.message}`);
              return `${lines.join('\n')}\n`;
            });
            return answer.failed.length === 0 ? 0 : 1;
          }
          if (!cli.out.json)
            cli.out.note(`Bulk replay ${answer.replay.id} of ${answer.replay.total} started.`);
          const view = await followReplay(cli, client, answer.replay);
          cli.out.result({ replay: view }, () => {
            const lines = [
              `Replay ${view.id} ${view.status === 'failed' ? 'stopped' : 'finished'}: ${view.done} replayed, ${view.failed} failed of ${view.total}.`,
            ];
            if (view.error !== null) lines.push(`  ${view.error}`);
            for (const f of view.errors) lines.push(`  ${f.id}: ${f.error.code}: ${f.error.message}`);
            return `${lines.join('\n')}\n`;
          });
          return view.status === 'succeeded' && view.failed === 0 ? 0 : 1;
        },
      ),
    );

  dlq
    .command('purge [ids...]')
    .description('Delete dead letters for good: those named, or the pending ones matching --filter.')
    .option('--filter <key=value>', `${FILTER_KEYS.join(', ')} (repeat, or comma-separate)`, collect)
    .option('--dry-run', 'with --filter: list what would be purged, change nothing')
    .option('--limit <n>', 'with --filter: purge at most this many', positiveNumber, 1000)
    .action(
      withCli(async (cli, ids: string[], options: { filter?: string[]; dryRun?: boolean; limit: number }) => {
        if (ids.length > 0 === (options.filter !== undefined)) {
          throw new Error('Give dead-letter ids, or --filter, (one of them).');
        }
        const client = await cli.client();
        const targets =
          options.filter === undefined
            ? ids
            : (
                await client.list<DeadLetterView>(
                  '/api/v1/dead-letters',
                  { status: 'pending', ...parseFilter(options.filter) },
                  options.limit,
                )
              ).map((d) => d.id);
        if (options.dryRun === true) {
          cli.out.result(
            { dry_run: true, count: targets.length, ids: targets },
            () =>
              `Would purge ${targets.length} dead letters (dry run, nothing changed)${targets.length === 0 ? '' : `:\n  ${targets.join('\n  ')}`}\n`,
          );
          return 0;
        }
        const bar = progressBar(cli.out, 'purging [{bar}] {value}/{total}');
        const purged: string[] = [];
        try {
          for (const target of targets) {
            await client.request('DELETE', `/api/v1/dead-letters/${encodeURIComponent(target)}`);
            purged.push(target);
            bar.update(purged.length, targets.length);
          }
        } finally {
          bar.stop();
          if (purged.length < targets.length && !cli.out.json) {
            cli.out.note(`Purged ${purged.length} of ${targets.length} before the error below.`);
          }
        }
        cli.out.result({ purged }, () => `Purged ${purged.length} dead letters.\n`);
        return 0;
      }),
    );
}
