import { randomUUID } from 'node:crypto';
import {
  type Backfill,
  type BackfillStore,
  type ConnectionStore,
  type Connector,
  type EnvelopeMode,
  newId,
  SluiceError,
} from '@sluice/core';
import type { PollPass, PollPassResult } from '@sluice/receive';

export interface BackfillsDeps {
  readonly backfills: BackfillStore;
  readonly connections: Pick<ConnectionStore, 'get' | 'findForIngest'>;
  readonly connectors: { get(id: string): Connector | null };
  readonly pass: Pick<PollPass, 'run'>;
  readonly log?: { warn(object: unknown, message: string): void };
  readonly now: () => Date;
  /** This process's name on the leases it holds (default: a random one). */
  readonly owner?: string;
  /** How long a lease lasts without a heartbeat (default 30 s); heartbeats come at a third of it. */
  readonly leaseMs?: number;
  /** How often lapsed leases (a holder that died) are looked for (default: once per lease). */
  readonly takeoverEveryMs?: number;
}

export interface BackfillRequest {
  readonly stream: string;
  readonly since: string;
  readonly until: string;
  readonly mode: EnvelopeMode;
}

/**
 * Backfills run in the background: one poll pass over the window with its own cursor (`backfill:<id>`),
 * committed with each page, deduped against the stored envelopes (so a re-run emits nothing new). A
 * process works a backfill only while it holds its lease in the store: it takes the lease on create, renews
 * it every third of `leaseMs`, and lets it go when its pass stops. `start` claims every running backfill
 * whose lease is free or lapsed (after a crash, it resumes from the last committed page) and keeps looking
 * for lapsed ones, so a backfill whose process died is taken over by another once its lease runs out. A
 * process that fails to renew (its lease was taken over) aborts its pass; a page it was committing then is
 * deduped against the log by whoever took over, so nothing is emitted twice. `stop` aborts the passes and
 * releases their leases; they stay `running` for the next claim.
 */
export class Backfills {
  readonly #deps: BackfillsDeps;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #stopped = false;
  #takeover: NodeJS.Timeout | undefined;

  constructor(deps: BackfillsDeps) {
    this.#deps = deps;
    this.#owner = deps.owner ?? `backfills-${randomUUID()}`;
    this.#leaseMs = deps.leaseMs ?? 30_000;
  }

  get owner(): string {
    return this.#owner;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    // The rounds are scheduled first, so that a first round that fails is retried by the next.
    this.#takeover ??= setInterval(() => {
      this.claimRound().catch((error: unknown) =>
        this.#deps.log?.warn({ err: error }, 'backfill lease round failed; the next one retries'),
      );
    }, this.#deps.takeoverEveryMs ?? this.#leaseMs);
    this.#takeover.unref();
    await this.claimRound();
  }

  /** Claims the running backfills whose lease is free or lapsed, and starts each; the number started. */
  async claimRound(): Promise<number> {
    if (this.#stopped) return 0;
    const claimed = await this.#deps.backfills.claim(this.#owner, this.#leaseMs);
    // Stopped meanwhile: the leases lapse and another process takes the backfills over.
    if (this.#stopped) return 0;
    for (const backfill of claimed) this.#launch(backfill);
    return claimed.length;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#takeover);
    this.#takeover = undefined;
    for (const { controller } of this.#running.values()) controller.abort();
    await Promise.all([...this.#running.values()].map((run) => run.done));
  }

  /** Creates a backfill of an active connection's poll stream and starts it; refuses an unknown stream. */
  async create(tenantId: string, connectionId: string, request: BackfillRequest): Promise<Backfill> {
    const connection = await this.#deps.connections.get(tenantId, connectionId);
    if (connection === null) {
      throw new SluiceError('connection_not_found', `Connection "${connectionId}" does not exist.`);
    }
    if (connection.status !== 'active') {
      throw new SluiceError('connection_retired', `Connection "${connectionId}" is retired.`);
    }
    const connector = this.#deps.connectors.get(connection.connector_id);
    if (connector?.poll[request.stream] === undefined) {
      throw new SluiceError(
        'stream_not_pollable',
        `Connector "${connection.connector_id}" has no poll stream "${request.stream}".`,
      );
    }
    const backfill = await this.#deps.backfills.create({
      id: newId('backfill'),
      tenant_id: tenantId,
      connection_id: connectionId,
      ...request,
    });
    // Another process's takeover round may take it first; it then runs there.
    const [claimed] = await this.#deps.backfills.claim(this.#owner, this.#leaseMs, { id: backfill.id });
    if (claimed !== undefined) this.#launch(claimed);
    return backfill;
  }

  /** Settles when the backfill's pass in this process is over (tests). */
  async settled(id: string): Promise<void> {
    await this.#running.get(id)?.done;
  }

  #launch(backfill: Backfill): void {
    if (this.#stopped || this.#running.has(backfill.id)) return;
    const { backfills } = this.#deps;
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      backfills
        .renewLease(backfill.tenant_id, backfill.id, this.#owner, this.#leaseMs)
        .then((held) => {
          if (!held) controller.abort();
        })
        .catch((error: unknown) =>
          this.#deps.log?.warn({ err: error, backfill: backfill.id }, 'backfill heartbeat failed'),
        );
    }, this.#leaseMs / 3);
    heartbeat.unref();
    const done = this.#run(backfill, controller.signal)
      .catch((error: unknown) =>
        this.#deps.log?.warn({ err: error, backfill: backfill.id }, 'backfill failed'),
      )
      .finally(async () => {
        clearInterval(heartbeat);
        // A finished backfill's lease went with its status; a stopped one's is let go for the next claim.
        await backfills.releaseLease(backfill.tenant_id, backfill.id, this.#owner).catch(() => {});
        this.#running.delete(backfill.id);
      });
    this.#running.set(backfill.id, { controller, done });
  }

  async #run(backfill: Backfill, signal: AbortSignal): Promise<void> {
    const { backfills } = this.#deps;
    const connection = await this.#deps.connections.findForIngest(backfill.connection_id);
    if (connection === null || connection.status !== 'active') {
      await backfills.update(backfill.tenant_id, backfill.id, {
        status: 'failed',
        error: 'the connection is gone or retired',
      });
      return;
    }
    // Each page's counts commit with the page itself (the store adds them), so they stay exact across a resume.
    const result: PollPassResult = await this.#deps.pass.run({
      connection,
      stream: backfill.stream,
      window: { from: backfill.since, to: backfill.until },
      mode: backfill.mode,
      signal,
      cursorKey: backfill.cursor_key,
      dedupeAgainstLog: true,
      backfillId: backfill.id,
    });
    if (result.status === 'aborted') return;
    if (result.status === 'rate_limited') {
      // Paused: the pass picks up from its cursor once the source allows it again.
      await backfills.update(backfill.tenant_id, backfill.id, {
        rate_limited_until: result.rateLimitedUntil ?? null,
      });
      const wait =
        Math.max(0, Date.parse(result.rateLimitedUntil ?? '') - this.#deps.now().getTime()) || 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (signal.aborted) return;
      const latest = await backfills.get(backfill.tenant_id, backfill.id);
      if (latest !== null) await this.#run(latest, signal);
      return;
    }
    await backfills.update(backfill.tenant_id, backfill.id, {
      status: result.status === 'completed' ? 'completed' : 'failed',
      rate_limited_until: null,
      ...(result.error === undefined ? {} : { error: result.error }),
    });
  }
}
