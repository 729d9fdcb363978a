import type { BackfillCounts } from '@sluice/core';
import type { ApiClient } from './api-client.ts';
import type { Output } from './output.ts';
import { progressBar } from './progress.ts';

/** What `sluice connectors backfill` was asked. */
export interface BackfillCommand {
  readonly connector: string;
  readonly connection: string;
  readonly stream: string;
  readonly since: string;
  readonly until?: string;
  readonly mode: 'quiet' | 'live';
}

interface BackfillView {
  readonly id: string;
  readonly status: 'running' | 'completed' | 'failed';
  readonly counts: BackfillCounts;
  readonly error: string | null;
  readonly rate_limited_until: string | null;
}

/** The two closing lines: the counts, then what the mode did. */
export function backfillSummary(counts: BackfillCounts, mode: 'quiet' | 'live'): string {
  const what =
    mode === 'quiet'
      ? `quiet mode: ${counts.emitted} envelopes stored and queryable, none routed to triggers`
      : `live mode: ${counts.emitted} envelopes routed to triggers at P4 (backfill priority)`;
  return `fetched ${counts.records} records · emitted ${counts.emitted} envelopes (dedupe skipped ${counts.duplicates})\n${what}\n`;
}

/** A date (`2026-01-01`, midnight UTC) or an ISO time, as the API's ISO instant. */
export function toInstant(value: string, flag: string): string {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time))
    throw new Error(`${flag} ${JSON.stringify(value)} is not a date (use 2026-01-31 or an ISO time).`);
  return new Date(time).toISOString();
}

/** At most this long without a page of progress before the command stops following. */
const STALL_MS = 10 * 60_000;

/**
 * Starts a backfill through the API, follows its progress (a bar on a terminal), and prints the final
 * counts. Resolves with the exit code: 0 when it completed, 1 when it failed.
 */
export async function runBackfill(
  command: BackfillCommand,
  client: ApiClient,
  out: Output,
  intervalMs = 200,
): Promise<number> {
  const { connection } = await client.request<{ connection: { connector_id: string } }>(
    'GET',
    `/api/v1/connections/${encodeURIComponent(command.connection)}`,
  );
  if (connection.connector_id !== command.connector) {
    throw new Error(
      `Connection "${command.connection}" is of connector "${connection.connector_id}", not "${command.connector}".`,
    );
  }
  const base = `/api/v1/connections/${encodeURIComponent(command.connection)}/backfills`;
  const started = await client.request<{ backfill: BackfillView }>('POST', base, {
    body: {
      stream: command.stream,
      since: toInstant(command.since, '--since'),
      ...(command.until === undefined ? {} : { until: toInstant(command.until, '--until') }),
      mode: command.mode,
    },
  });
  let view = started.backfill;
  if (!out.json) {
    out.print(
      `backfill ${view.id}: ${command.connector} ${command.stream} since ${command.since} (${command.mode})\n`,
    );
  }
  // The window's share done is unknown, so the bar counts pages and shows the records and envelopes.
  const bar = progressBar(
    out,
    'backfilling {value} pages · {records} records · {emitted} emitted{paused} · {duration_formatted}',
  );
  let lastPages = -1;
  let lastMove = Date.now();
  try {
    while (view.status === 'running') {
      const paused = view.rate_limited_until === null ? '' : ` · paused until ${view.rate_limited_until}`;
      bar.update(view.counts.pages, 0, {
        records: view.counts.records,
        emitted: view.counts.emitted,
        paused,
      });
      if (view.counts.pages !== lastPages || view.rate_limited_until !== null) {
        lastPages = view.counts.pages;
        lastMove = Date.now();
      } else if (Date.now() - lastMove > STALL_MS) {
        throw new Error(
          `Backfill ${view.id} made no progress for ${STALL_MS / 60_000} min; it may still run.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      view = (await client.request<{ backfill: BackfillView }>('GET', `${base}/${view.id}`)).backfill;
    }
  } finally {
    bar.stop();
  }
  out.result({ backfill: view }, () =>
    view.status === 'failed'
      ? `${backfillSummary(view.counts, command.mode)}backfill failed: ${view.error ?? 'unknown error'}\n`
      : backfillSummary(view.counts, command.mode),
  );
  return view.status === 'failed' ? 1 : 0;
}
