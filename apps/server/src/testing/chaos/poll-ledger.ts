import type { SqlClient } from '@sluice/store';
import { PollSource } from './poll-source.ts';
import type { StageCluster } from './stage-cluster.ts';
import { post } from './world.ts';

/** The `http-poll` connection a scenario polls beside its load, and the source it polls. */
export interface ChaosPollStream {
  readonly connectionId: string;
  readonly stream: 'incremental';
  readonly source: PollSource;
}

/** What the poll stream's run came to. */
export interface PollCounts {
  /** Record versions the source served (each to become one envelope). */
  readonly versions: number;
  /** Of them, stored as one envelope. */
  readonly stored: number;
  /** Served, never stored. */
  readonly lost: number;
  /** Stored more than once, or a version stored that was never served. */
  readonly duplicated: number;
  readonly unexpected: number;
  /** Versions stored with the wrong verb (`created` for a record seen before, or the reverse). */
  readonly wrong_verb: number;
  readonly requests: number;
  /** Answers asked for again by the next request: the pass that got them died before its commit. */
  readonly replayed: number;
  /** Requests whose poller died waiting for the answer. */
  readonly cut_off: number;
  readonly max_in_flight: number;
  readonly cursor: string | null;
  readonly problems: ReadonlyArray<string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A source on 127.0.0.1 and an `http-poll` connection on it in `incremental` mode (cursor `seq`, asked as
 * `since`), polled every second (a six-field cron), whose records become `entry.created` / `entry.updated`.
 */
export async function openPollStream(
  cluster: StageCluster,
  auth: Record<string, string>,
  options: { pageSize?: number; maxDelayMs?: number } = {},
): Promise<ChaosPollStream> {
  const source = new PollSource({ pageSize: options.pageSize ?? 12, maxDelayMs: options.maxDelayMs ?? 400 });
  await source.start();
  const made = await post(cluster, '/api/v1/connections', auth, {
    connector_id: 'http-poll',
    name: 'chaos poll',
    config: {
      url: source.url,
      records_path: 'data',
      id_field: 'id',
      mode: 'incremental',
      cursor_param: 'since',
      cursor_field: 'seq',
      streams: { incremental: { schedule: '* * * * * *' } },
    },
  });
  if (made.status !== 201) {
    await source.close();
    throw new Error(`poll connection: ${made.status} ${JSON.stringify(made.json)}`);
  }
  return { connectionId: (made.json['connection'] as { id: string }).id, stream: 'incremental', source };
}

/** Changes the source every `everyMs` (a new record or a new version of one) until stopped. */
export class SourceChanges {
  private timer: NodeJS.Timeout | null = null;
  private readonly source: PollSource;
  private readonly everyMs: number;

  constructor(source: PollSource, everyMs: number) {
    this.source = source;
    this.everyMs = everyMs;
  }

  start(): void {
    this.timer = setInterval(() => this.source.change(), this.everyMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }
}

/** Waits, up to `timeoutMs`, until the poller has committed every change the source made. */
export async function pollCaughtUp(poll: ChaosPollStream, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!poll.source.caughtUp()) {
    if (Date.now() > end) return false;
    await sleep(200);
  }
  return true;
}

/**
 * Samples the stream's row and cursor while a scenario runs: the cursor must never go back, the lease
 * never pass from one scheduler to another while the first still held it (a new holder whose claim came
 * before the last seen end of the old one's lease, with no run of the old one recorded between), and the
 * stream never stay overdue (past its `next_run_at`, whoever holds it) longer than the bound.
 */
export class PollWatch {
  maxOverdueSeconds = 0;
  readonly cursorBackwards: string[] = [];
  readonly leaseOverlaps: string[] = [];
  /** The schedulers seen holding the stream's lease. */
  readonly holders = new Set<string>();
  private last: { owner: string | null; until: number; ranAt: string | null; cursor: number | null } | null =
    null;
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<void> = Promise.resolve();
  private readonly sql: SqlClient;
  private readonly tenantId: string;
  private readonly poll: ChaosPollStream;
  private readonly leaseMs: number;

  constructor(sql: SqlClient, tenantId: string, poll: ChaosPollStream, leaseMs: number) {
    this.sql = sql;
    this.tenantId = tenantId;
    this.poll = poll;
    this.leaseMs = leaseMs;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.pending = this.pending.then(() => this.sample()).catch(() => {});
    }, 250);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.pending;
  }

  private async sample(): Promise<void> {
    const [row] = await this.sql.query<{
      owner: string | null;
      until: string | null;
      ran_at: string | null;
      overdue: string;
      cursor: string | null;
    }>(
      `SELECT s.lease_owner AS owner, (EXTRACT(EPOCH FROM s.lease_until) * 1000)::text AS until,
              s.last_run_at::text AS ran_at,
              GREATEST(0, EXTRACT(EPOCH FROM now() - s.next_run_at))::text AS overdue, c.cursor
         FROM stream_schedules s
         LEFT JOIN stream_cursors c ON c.tenant_id = s.tenant_id AND c.connection_id = s.connection_id
          AND c.stream = s.stream
        WHERE s.tenant_id = $1 AND s.connection_id = $2 AND s.stream = $3`,
      [this.tenantId, this.poll.connectionId, this.poll.stream],
    );
    if (row === undefined) return;
    this.maxOverdueSeconds = Math.max(this.maxOverdueSeconds, Number(row.overdue));
    const now = {
      owner: row.owner,
      until: row.until === null ? 0 : Number(row.until),
      ranAt: row.ran_at,
      cursor: row.cursor === null ? null : Number(row.cursor),
    };
    const before = this.last;
    if (before !== null) {
      if (before.cursor !== null && (now.cursor === null || now.cursor < before.cursor))
        this.cursorBackwards.push(`stored cursor ${before.cursor} then ${now.cursor}`);
      if (now.owner !== null && now.owner !== before.owner) {
        // The new holder's claim was at most its lease's end less one term (renewals only move it later).
        const claimedBy = now.until - this.leaseMs;
        if (before.owner !== null && before.ranAt === now.ranAt && claimedBy < before.until)
          this.leaseOverlaps.push(
            `${now.owner} claimed by ${new Date(claimedBy).toISOString()} while ${before.owner} held it until ${new Date(before.until).toISOString()}`,
          );
      }
    }
    if (now.owner !== null) this.holders.add(now.owner);
    this.last = now;
  }
}

/**
 * Every version the source served must be stored as exactly one envelope (matched by the record's id and
 * version in its payload; the dedupe key names its hash), `entry.created` for a record's first stored
 * version and `entry.updated` after; and nothing stored that the source never served.
 */
export async function countPoll(
  sql: SqlClient,
  tenantId: string,
  poll: ChaosPollStream,
  watch: PollWatch,
): Promise<PollCounts> {
  const problems: string[] = [];
  const rows = await sql.query<{ id: string; version: string; event_type: string; dedupe_key: string }>(
    `SELECT payload->'record'->>'id' AS id, payload->'record'->>'version' AS version, event_type, dedupe_key
       FROM envelopes WHERE tenant_id = $1 AND dedupe_key LIKE $2`,
    [tenantId, `${poll.connectionId}:record:%`],
  );
  const stored = new Map<string, number>();
  const versionsOf = new Map<string, Array<{ version: number; type: string }>>();
  for (const row of rows) {
    const key = `${row.id}@${row.version}`;
    stored.set(key, (stored.get(key) ?? 0) + 1);
    const list = versionsOf.get(row.id) ?? [];
    list.push({ version: Number(row.version), type: row.event_type });
    versionsOf.set(row.id, list);
  }
  let once = 0;
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  for (const key of poll.source.served.keys()) {
    const n = stored.get(key) ?? 0;
    if (n === 0) {
      lost++;
      problems.push(`record version ${key} served, never stored`);
    } else once++;
    if (n > 1) {
      duplicated += n - 1;
      problems.push(`record version ${key} stored ${n} times`);
    }
  }
  for (const [key, n] of stored) {
    if (!poll.source.served.has(key)) {
      unexpected += n;
      problems.push(`record version ${key} stored, never served`);
    }
  }
  let wrongVerb = 0;
  for (const [id, list] of versionsOf) {
    list.sort((a, b) => a.version - b.version);
    list.forEach((entry, i) => {
      const want = i === 0 ? 'entry.created' : 'entry.updated';
      if (entry.type !== want && list.findIndex((e) => e.version === entry.version) === i) {
        wrongVerb++;
        problems.push(`${id}@${entry.version} stored as ${entry.type}, not ${want}`);
      }
    });
  }
  const source = poll.source;
  if (source.maxInFlight > 1) problems.push(`${source.maxInFlight} polls of the stream in flight at once`);
  for (const backwards of [...source.cursorBackwards, ...watch.cursorBackwards])
    problems.push(`the cursor went back: ${backwards}`);
  for (const overlap of watch.leaseOverlaps) problems.push(`two lease holders at once: ${overlap}`);
  const [cursor] = await sql.query<{ cursor: string | null }>(
    'SELECT cursor FROM stream_cursors WHERE tenant_id = $1 AND connection_id = $2 AND stream = $3',
    [tenantId, poll.connectionId, poll.stream],
  );
  return {
    versions: source.served.size,
    stored: once,
    lost,
    duplicated,
    unexpected,
    wrong_verb: wrongVerb,
    requests: source.requests,
    replayed: source.replayed,
    cut_off: source.cutOff,
    max_in_flight: source.maxInFlight,
    cursor: cursor?.cursor ?? null,
    problems: problems.length > 5 ? [...problems.slice(0, 5), `… ${problems.length - 5} more`] : problems,
  };
}
