import type { Output } from './output.ts';

/** A poll stream as `GET /api/v1/streams` shows it. */
export interface StreamView {
  readonly connection_id: string;
  readonly stream: string;
  readonly schedule: string;
  readonly interval_ms: number | null;
  readonly interval_reason: string;
  readonly next_run_at: string;
  readonly status: string;
  readonly rate_limited_until: string | null;
  readonly last_success_at: string | null;
  readonly last_error: { readonly at: string; readonly message: string | null } | null;
  readonly records: number;
  readonly envelopes: number;
}

const interval = (ms: number | null): string =>
  ms === null
    ? '-'
    : ms < 60_000
      ? `${Math.round(ms / 1000)}s`
      : ms < 3_600_000
        ? `${Math.round(ms / 60_000)}m`
        : `${Math.round(ms / 360_000) / 10}h`;

/** The streams as a table: one line each, then why each interval is what it is. */
export function streamsTable(out: Output, streams: ReadonlyArray<StreamView>): string {
  if (streams.length === 0) return 'No poll streams.\n';
  const status = (s: StreamView): string =>
    s.status === 'ok'
      ? out.color.green(s.status)
      : s.status === 'failing'
        ? out.color.red(s.status)
        : s.status === 'rate_limited' && s.rate_limited_until !== null
          ? out.color.yellow(`rate_limited until ${s.rate_limited_until}`)
          : out.color.yellow(s.status);
  const table = out.table(
    [
      'CONNECTION',
      'STREAM',
      'STATUS',
      'SCHEDULE',
      'INTERVAL',
      'NEXT RUN',
      'LAST SUCCESS',
      'RECORDS',
      'ENVELOPES',
    ],
    streams.map((s) => [
      s.connection_id,
      s.stream,
      status(s),
      s.schedule,
      interval(s.interval_ms),
      s.next_run_at,
      s.last_success_at ?? '-',
      String(s.records),
      String(s.envelopes),
    ]),
    'No poll streams.',
  );
  const notes = streams.flatMap((s) => [
    `${s.connection_id}/${s.stream}: ${s.interval_reason}`,
    ...(s.last_error === null ? [] : [`  last error ${s.last_error.at}: ${s.last_error.message ?? ''}`]),
  ]);
  return `${table}\n${notes.join('\n')}\n`;
}
