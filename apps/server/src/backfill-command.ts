import type { BackfillCounts } from '@sluice/core';

/** What `sluice connectors backfill` was asked. */
export interface BackfillCommand {
  readonly connector: string;
  readonly connection: string;
  readonly stream: string;
  readonly since: string;
  readonly until?: string;
  readonly mode: 'quiet' | 'live';
  readonly url: string;
  readonly apiKey: string;
}

interface BackfillView {
  readonly id: string;
  readonly status: 'running' | 'completed' | 'failed';
  readonly counts: BackfillCounts;
  readonly error: string | null;
  readonly rate_limited_until: string | null;
}

/** Where the command writes: its lines, and whether it may redraw a progress bar (a TTY). */
export interface BackfillOutput {
  write(text: string): void;
  readonly tty: boolean;
}

/** The two closing lines: the counts, then what the mode did. */
export function backfillSummary(counts: BackfillCounts, mode: 'quiet' | 'live'): string {
  const what =
    mode === 'quiet'
      ? `quiet mode: ${counts.emitted} envelopes stored and queryable, none routed to triggers`
      : `live mode: ${counts.emitted} envelopes routed to triggers at P4 (backfill priority)`;
  return `fetched ${counts.records} records · emitted ${counts.emitted} envelopes (dedupe skipped ${counts.duplicates})\n${what}\n`;
}

const BAR = 24;

/** One frame of the progress bar: the window's share is unknown, so the bar sweeps while the counts grow. */
export function progressLine(view: BackfillView, frame: number): string {
  const at = frame % (2 * BAR - 2);
  const head = at < BAR ? at : 2 * BAR - 2 - at;
  const bar = Array.from({ length: BAR }, (_, i) => (i === head ? '=' : i < head ? '-' : ' ')).join('');
  const paused = view.rate_limited_until === null ? '' : ` · paused until ${view.rate_limited_until}`;
  return `[${bar}] ${view.counts.pages} pages · ${view.counts.records} records · ${view.counts.emitted} emitted${paused}`;
}

/** A date (`2026-01-01`, midnight UTC) or an ISO time, as the API's ISO instant. */
export function toInstant(value: string, flag: string): string {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time))
    throw new Error(`${flag} ${JSON.stringify(value)} is not a date (use 2026-01-31 or an ISO time).`);
  return new Date(time).toISOString();
}

async function call(command: BackfillCommand, path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${command.url.replace(/\/+$/, '')}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${command.apiKey}`, 'content-type': 'application/json' },
  });
  const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new Error(
      `${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? 'request failed'}`.trim(),
    );
  }
  return body;
}

/**
 * Starts a backfill through the API, follows its progress (a bar on a TTY), and prints the final counts.
 * Resolves with the exit code: 0 when it completed, 1 when it failed.
 */
export async function runBackfill(
  command: BackfillCommand,
  out: BackfillOutput,
  intervalMs = 200,
): Promise<number> {
  const { connection } = (await call(
    command,
    `/api/v1/connections/${encodeURIComponent(command.connection)}`,
  )) as {
    connection: { connector_id: string };
  };
  if (connection.connector_id !== command.connector) {
    throw new Error(
      `Connection "${command.connection}" is of connector "${connection.connector_id}", not "${command.connector}".`,
    );
  }
  const base = `/api/v1/connections/${encodeURIComponent(command.connection)}/backfills`;
  const started = (await call(command, base, {
    method: 'POST',
    body: JSON.stringify({
      stream: command.stream,
      since: toInstant(command.since, '--since'),
      ...(command.until === undefined ? {} : { until: toInstant(command.until, '--until') }),
      mode: command.mode,
    }),
  })) as { backfill: BackfillView };
  let view = started.backfill;
  out.write(
    `backfill ${view.id}: ${command.connector} ${command.stream} since ${command.since} (${command.mode})\n`,
  );
  for (let frame = 0; view.status === 'running'; frame++) {
    if (out.tty) out.write(`\r\u001b[2K${progressLine(view, frame)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    view = ((await call(command, `${base}/${view.id}`)) as { backfill: BackfillView }).backfill;
  }
  if (out.tty) out.write('\r\u001b[2K');
  out.write(backfillSummary(view.counts, command.mode));
  if (view.status === 'failed') {
    out.write(`backfill failed: ${view.error ?? 'unknown error'}\n`);
    return 1;
  }
  return 0;
}
