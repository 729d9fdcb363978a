import { createServer, type Server } from 'node:http';

/** One version of a source record, as the source served it. */
export interface ServedVersion {
  readonly id: string;
  readonly version: number;
  readonly seq: number;
}

interface SourceRecord {
  readonly id: string;
  version: number;
  /** The source's change sequence at this version: the incremental cursor field. */
  seq: number;
  name: string;
  /** Whether this version was in a response yet. */
  served: boolean;
}

export interface PollSourceOptions {
  /** Records per response at most (the oldest changes first). */
  readonly pageSize: number;
  /** Each response waits this long at most (uniformly at random), so that kills land mid-pass. */
  readonly maxDelayMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A JSON API that can only be polled, on 127.0.0.1, for the `http-poll` connector in `incremental` mode:
 * `GET /records?since=<seq>` answers the records changed at or after `since` (by `seq`, the source's
 * change sequence, oldest first, `pageSize` at most), each at its current version. `change()` creates a
 * record or updates one. A version served but not yet behind any cursor a later request carried is not
 * updated until it is (its commit is not known yet: a poll that died before committing asks again from
 * the same cursor and must be served that version again), so every version it served must end up stored,
 * once. It records what it served, the cursors it was asked from, and how many requests were in flight at
 * once (more than one means two passes of the stream ran at the same time).
 */
export class PollSource {
  readonly served = new Map<string, ServedVersion>();
  /** Requests answered (or cut off by a dying poller). */
  requests = 0;
  /** Responses whose records were served again by the next request (the pass that got them died). */
  replayed = 0;
  /** Requests whose poller went away before the answer (killed while waiting on the source). */
  cutOff = 0;
  maxInFlight = 0;
  /** Each time a request carried a cursor lower than one carried before. */
  readonly cursorBackwards: string[] = [];
  /** The highest cursor a request carried: every change at or below it is committed by the poller. */
  watermark = -1;
  private inFlight = 0;
  private seq = 0;
  private lastServedMax = -1;
  private lastCursor: number | null = null;
  private readonly records = new Map<string, SourceRecord>();
  private readonly options: PollSourceOptions;
  private server: Server | null = null;
  url = '';

  constructor(options: PollSourceOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.answer(new URL(req.url ?? '/', 'http://local'), res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    this.server = server;
    this.url = `http://127.0.0.1:${port}/records`;
  }

  /** The highest change sequence so far. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * One change: a new record (`createShare` of the time, or when none may be updated), else a new version
   * of a random record whose current version is unserved or committed.
   */
  change(createShare = 0.5): void {
    const open = [...this.records.values()].filter((r) => !r.served || r.seq <= this.watermark);
    if (open.length === 0 || Math.random() < createShare) {
      const id = `rec_${String(this.records.size + 1).padStart(4, '0')}`;
      this.records.set(id, { id, version: 1, seq: ++this.seq, name: `record ${id}`, served: false });
      return;
    }
    const record = open[Math.floor(Math.random() * open.length)] as SourceRecord;
    record.version++;
    record.seq = ++this.seq;
    record.name = `record ${record.id} v${record.version}`;
    record.served = false;
  }

  /** Whether the poller has committed every change: a request came with a cursor at the last one. */
  caughtUp(): boolean {
    return this.watermark >= this.seq;
  }

  private async answer(url: URL, res: import('node:http').ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let finished = false;
    res.on('close', () => {
      this.inFlight--;
      if (!finished) this.cutOff++;
    });
    this.requests++;
    const since = url.searchParams.get('since');
    const cursor = since === null ? null : Number(since);
    if (this.lastCursor !== null && (cursor === null || cursor < this.lastCursor))
      this.cursorBackwards.push(`${this.lastCursor} then ${since ?? 'none'}`);
    if (cursor !== null) {
      this.lastCursor = Math.max(this.lastCursor ?? cursor, cursor);
      this.watermark = Math.max(this.watermark, cursor);
    }
    // The last answer's changes asked for again: the pass that got them did not commit.
    if (this.lastServedMax > (cursor ?? -1)) this.replayed++;
    const page = [...this.records.values()]
      .filter((r) => cursor === null || r.seq >= cursor)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, this.options.pageSize);
    // What this answer holds is taken now: changes made while it waits are the next answer's.
    const data = page.map((r) => ({ id: r.id, seq: r.seq, version: r.version, name: r.name }));
    for (const r of page) {
      r.served = true;
      this.served.set(`${r.id}@${r.version}`, { id: r.id, version: r.version, seq: r.seq });
    }
    this.lastServedMax = Math.max(-1, ...page.map((r) => r.seq));
    await sleep(Math.random() * this.options.maxDelayMs);
    if (res.destroyed) return;
    finished = true;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data }));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
