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
}

export interface BackfillRequest {
  readonly stream: string;
  readonly since: string;
  readonly until: string;
  readonly mode: EnvelopeMode;
}

/**
 * Backfills run in the background of the server that accepted them: one poll pass over the window with
 * its own cursor (`backfill:<id>`), committed with each page, deduped against the stored envelopes (so a
 * re-run emits nothing new). `start` resumes every backfill still `running` (after a crash, from its last
 * committed page); `stop` aborts the passes, which stay `running` for the next start.
 */
export class Backfills {
  readonly #deps: BackfillsDeps;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #stopped = false;

  constructor(deps: BackfillsDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    for (const backfill of await this.#deps.backfills.running()) this.#launch(backfill);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
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
    this.#launch(backfill);
    return backfill;
  }

  /** Settles when the backfill's pass in this process is over (tests). */
  async settled(id: string): Promise<void> {
    await this.#running.get(id)?.done;
  }

  #launch(backfill: Backfill): void {
    if (this.#stopped || this.#running.has(backfill.id)) return;
    const controller = new AbortController();
    const done = this.#run(backfill, controller.signal)
      .catch((error: unknown) =>
        this.#deps.log?.warn({ err: error, backfill: backfill.id }, 'backfill failed'),
      )
      .finally(() => this.#running.delete(backfill.id));
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
      const wait = Math.max(0, Date.parse(result.rateLimitedUntil ?? '') - Date.now()) || 1000;
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
