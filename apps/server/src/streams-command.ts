/** What `sluice streams` was asked. */
export interface StreamsCommand {
  readonly url: string;
  readonly apiKey: string;
  readonly connection?: string;
  readonly status?: string;
}

interface StreamView {
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
export function streamsTable(streams: ReadonlyArray<StreamView>): string {
  if (streams.length === 0) return 'No poll streams.\n';
  const headers = [
    'CONNECTION',
    'STREAM',
    'STATUS',
    'SCHEDULE',
    'INTERVAL',
    'NEXT RUN',
    'LAST SUCCESS',
    'RECORDS',
    'ENVELOPES',
  ];
  const rows = streams.map((s) => [
    s.connection_id,
    s.stream,
    s.status === 'rate_limited' && s.rate_limited_until !== null
      ? `rate_limited until ${s.rate_limited_until}`
      : s.status,
    s.schedule,
    interval(s.interval_ms),
    s.next_run_at,
    s.last_success_at ?? '-',
    String(s.records),
    String(s.envelopes),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: ReadonlyArray<string>): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const notes = streams.flatMap((s) => [
    `${s.connection_id}/${s.stream}: ${s.interval_reason}`,
    ...(s.last_error === null ? [] : [`  last error ${s.last_error.at}: ${s.last_error.message ?? ''}`]),
  ]);
  return `${[line(headers), ...rows.map(line)].join('\n')}\n\n${notes.join('\n')}\n`;
}

/** Lists the tenant's poll streams through the API and prints them; the exit code. */
export async function runStreams(command: StreamsCommand, write: (text: string) => void): Promise<number> {
  const query = new URLSearchParams();
  if (command.connection !== undefined) query.set('connection_id', command.connection);
  if (command.status !== undefined) query.set('status', command.status);
  const suffix = query.size > 0 ? `?${query}` : '';
  const response = await fetch(`${command.url.replace(/\/+$/, '')}/api/v1/streams${suffix}`, {
    headers: { authorization: `Bearer ${command.apiKey}` },
  });
  const body = (await response.json().catch(() => null)) as {
    items?: StreamView[];
    error?: { code: string; message: string };
  } | null;
  if (!response.ok || body?.items === undefined) {
    write(`GET /api/v1/streams answered ${response.status}: ${body?.error?.message ?? 'no JSON body'}\n`);
    return 1;
  }
  write(streamsTable(body.items));
  return 0;
}
