import type { Command } from 'commander';
import { oneOf, positiveNumber } from './arguments.ts';
import { type Cli, withCli } from './cli-context.ts';

interface Attempt {
  readonly started_at: string;
  readonly status_code: number | null;
  readonly latency_ms: number | null;
  readonly error: string | null;
}

interface JobView {
  readonly id: string;
  readonly trigger_id: string;
  readonly event_id: string;
  readonly connection_id: string;
  readonly priority: string;
  readonly entity_key: string | null;
  readonly status: string;
  readonly created_at: string;
  readonly attempts: ReadonlyArray<Attempt>;
}

const JOB_STATUSES = [
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'dead_lettered',
  'skipped',
] as const;

function statusText(cli: Cli, status: string): string {
  const c = cli.out.color;
  return status === 'succeeded'
    ? c.green(status)
    : status === 'failed' || status === 'dead_lettered'
      ? c.red(status)
      : status === 'retrying'
        ? c.yellow(status)
        : status;
}

/** `sluice jobs list|show`. */
export function registerJobsCommands(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('Jobs: one per matching (event, trigger), and their attempts.');

  jobs
    .command('list')
    .description('List jobs, oldest first (--newest: newest first).')
    .option('--trigger <id>', 'only of this trigger')
    .option('--event <id>', 'only of this event')
    .option('--status <status>', JOB_STATUSES.join(', '), oneOf(JOB_STATUSES))
    .option('--newest', 'newest first')
    .option('--limit <n>', 'at most this many', positiveNumber, 100)
    .action(
      withCli(
        async (
          cli,
          options: { trigger?: string; event?: string; status?: string; newest?: boolean; limit: number },
        ) => {
          const client = await cli.client();
          const items = await client.list<JobView>(
            '/api/v1/jobs',
            {
              trigger_id: options.trigger,
              event_id: options.event,
              status: options.status,
              order: options.newest === true ? 'desc' : undefined,
            },
            options.limit,
          );
          cli.out.result({ items }, () =>
            cli.out.table(
              ['ID', 'STATUS', 'TRIGGER', 'EVENT', 'ENTITY', 'PRIORITY', 'ATTEMPTS', 'CREATED'],
              items.map((j) => [
                j.id,
                statusText(cli, j.status),
                j.trigger_id,
                j.event_id,
                j.entity_key ?? '-',
                j.priority,
                String(j.attempts.length),
                j.created_at,
              ]),
              'No jobs.',
            ),
          );
        },
      ),
    );

  jobs
    .command('show <id>')
    .description('Show a job and every attempt of its action.')
    .action(
      withCli(async (cli, id: string) => {
        const client = await cli.client();
        const body = await client.request<{ job: JobView }>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
        const j = body.job;
        cli.out.result(
          body,
          () =>
            cli.out.fields([
              ['id', j.id],
              ['status', statusText(cli, j.status)],
              ['trigger', j.trigger_id],
              ['event', j.event_id],
              ['connection', j.connection_id],
              ['entity', j.entity_key ?? '-'],
              ['priority', j.priority],
              ['created', j.created_at],
            ]) +
            '\n' +
            cli.out.table(
              ['#', 'STARTED', 'STATUS', 'LATENCY', 'ERROR'],
              j.attempts.map((a, i) => [
                String(i + 1),
                a.started_at,
                a.status_code === null ? '-' : String(a.status_code),
                a.latency_ms === null ? '-' : `${a.latency_ms} ms`,
                a.error ?? '',
              ]),
              'No attempts yet.',
            ),
        );
      }),
    );
}
