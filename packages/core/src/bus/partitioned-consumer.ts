import type { BusBatch, BusTopic, ConsumeOptions, Consumer } from '../ports/bus-port.ts';
import type { PartitionTransport } from './partition-transport.ts';

/** Defaults shared by every adapter, so a consumer behaves alike on each. */
export const CONSUME_DEFAULTS = { batchSize: 100, blockMs: 1_000, retryDelayMs: 1_000 } as const;

export interface PartitionedConsumerOptions {
  readonly topic: BusTopic;
  readonly partitions: number;
  /** How long a lease (and a membership) lasts without a heartbeat; heartbeats run every third of it. */
  readonly leaseTtlMs: number;
  readonly handler: ConsumeOptions['handler'];
  readonly batchSize?: number | undefined;
  readonly blockMs?: number | undefined;
  readonly retryDelayMs?: number | undefined;
  readonly onError?: ((error: unknown) => void) | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * `claim`: just acquired, the group's pending entries are not yet moved here; `pending`: this consumer's
 * pending entries come first; `live`: reading new entries.
 */
interface PartitionState {
  phase: 'claim' | 'pending' | 'live';
  retryAt: number;
}

/**
 * One consumer of a partitioned topic, over any {@link PartitionTransport}: it holds leases on up to a fair
 * share of the partitions (all partitions over the live consumers of the group, rounded up), renews them by
 * heartbeat, gives up the excess when consumers join, and reads each partition in order: first the pending
 * entries it inherited or failed, then new ones. At most one batch per partition is in flight.
 */
export class PartitionedConsumer implements Consumer {
  readonly #transport: PartitionTransport;
  readonly #options: PartitionedConsumerOptions;
  readonly #batchSize: number;
  readonly #blockMs: number;
  readonly #retryDelayMs: number;
  readonly #now: () => number;
  readonly #owned = new Map<number, PartitionState>();
  #members = 1;
  #stopped = false;
  #heartbeating = false;
  #nextBalanceAt = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #wake: (() => void) | undefined;
  readonly #loop: Promise<void>;
  #stopping: Promise<void> | undefined;

  constructor(transport: PartitionTransport, options: PartitionedConsumerOptions) {
    this.#transport = transport;
    this.#options = options;
    this.#batchSize = Math.max(1, options.batchSize ?? CONSUME_DEFAULTS.batchSize);
    this.#blockMs = Math.max(1, options.blockMs ?? CONSUME_DEFAULTS.blockMs);
    this.#retryDelayMs = Math.max(1, options.retryDelayMs ?? CONSUME_DEFAULTS.retryDelayMs);
    this.#now = options.now ?? Date.now;
    this.#loop = this.#run();
  }

  partitions(): ReadonlyArray<number> {
    return [...this.#owned.keys()].sort((a, b) => a - b);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#transport.interrupt();
    this.#wake?.();
    await this.#loop;
    // A transport that is down cannot release: the leases then lapse on their own, one TTL later.
    try {
      await this.#transport.release([...this.#owned.keys()]);
    } catch (error) {
      this.#report(error);
    }
    this.#owned.clear();
    try {
      await this.#transport.close();
    } catch (error) {
      this.#report(error);
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        if (this.#timer === undefined) {
          await this.#heartbeat();
          if (this.#stopped) return;
          this.#timer = setInterval(() => void this.#heartbeat(), Math.max(1, this.#options.leaseTtlMs / 3));
        }
        await this.#balance();
        await this.#poll();
      } catch (error) {
        if (this.#stopped) return;
        this.#report(error);
        await this.#sleep(this.#retryDelayMs);
      }
    }
  }

  async #heartbeat(): Promise<void> {
    if (this.#heartbeating) return;
    this.#heartbeating = true;
    try {
      const sent = [...this.#owned.keys()];
      const result = await this.#transport.heartbeat(sent);
      this.#members = Math.max(1, result.members);
      const held = new Set(result.held);
      // Only partitions that were asked about can be lost: one acquired meanwhile was not part of this check.
      for (const partition of sent) if (!held.has(partition)) this.#owned.delete(partition);
    } catch (error) {
      this.#report(error);
    } finally {
      this.#heartbeating = false;
    }
  }

  /** Takes free partitions up to the fair share, or gives up the excess; at most once per heartbeat period. */
  async #balance(): Promise<void> {
    const now = this.#now();
    if (now < this.#nextBalanceAt && this.#owned.size > 0) return;
    this.#nextBalanceAt = now + this.#options.leaseTtlMs / 3;
    const share = Math.ceil(this.#options.partitions / this.#members);
    if (this.#owned.size > share) {
      // Between polls nothing is in flight, so the released partitions hand over with everything acknowledged.
      const excess = this.partitions().slice(share);
      for (const partition of excess) this.#owned.delete(partition);
      await this.#transport.release(excess);
    } else if (this.#owned.size < share) {
      for (const partition of await this.#transport.acquire(share - this.#owned.size)) {
        this.#owned.set(partition, { phase: 'claim', retryAt: 0 });
      }
    }
  }

  async #poll(): Promise<void> {
    const now = this.#now();
    const batches: BusBatch[] = [];
    const live: number[] = [];
    let nextRetryAt = Number.POSITIVE_INFINITY;
    for (const [partition, state] of this.#owned) {
      if (state.retryAt > now) {
        nextRetryAt = Math.min(nextRetryAt, state.retryAt);
        continue;
      }
      if (state.phase === 'claim') {
        await this.#transport.claimPending(partition);
        state.phase = 'pending';
      }
      if (state.phase === 'pending') {
        const messages = await this.#transport.readPending(partition, this.#batchSize);
        if (messages.length > 0) {
          batches.push({ topic: this.#options.topic, partition, messages });
          continue;
        }
        state.phase = 'live';
      }
      live.push(partition);
    }
    if (this.#stopped) return;
    const waitMs = Math.max(1, Math.min(this.#blockMs, nextRetryAt - now));
    if (batches.length === 0) {
      if (live.length === 0) {
        await this.#sleep(waitMs);
        return;
      }
      const fresh = await this.#transport.readNew(live, this.#batchSize, waitMs);
      for (const [partition, messages] of fresh) {
        if (messages.length > 0) batches.push({ topic: this.#options.topic, partition, messages });
      }
    }
    await Promise.all(batches.map((batch) => this.#handle(batch)));
  }

  async #handle(batch: BusBatch): Promise<void> {
    try {
      await this.#options.handler(batch);
      await this.#transport.ack(
        batch.partition,
        batch.messages.map((message) => message.id),
      );
    } catch (error) {
      const state = this.#owned.get(batch.partition);
      if (state !== undefined) {
        state.phase = 'pending';
        state.retryAt = this.#now() + this.#retryDelayMs;
      }
      this.#report(error);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  #report(error: unknown): void {
    if (this.#options.onError !== undefined) this.#options.onError(error);
    else console.error('sluice bus consumer:', error);
  }
}
