import type { Bus, Outbox } from '@sluice/core';
import { backoffMs } from './backoff.ts';
import { type RelayPass, relayPass } from './relay-pass.ts';
import { WakeUp } from './wake-up.ts';

export interface RelayOptions {
  readonly outbox: Outbox;
  readonly bus: Bus;
  /** This relay's name on its leases; unique per process (host and process id). */
  readonly owner: string;
  /** Rows per claim; 500 by default. */
  readonly batchSize?: number;
  /**
   * How long a claim holds unless the router acknowledges it first, in ms; 30,000 by default. It covers a
   * publish and the routing: rows the bus lost (a dead relay or router, a FLUSHALL) are sent again once it
   * lapses. A router that lags more than this gets repeats, which create nothing twice.
   */
  readonly leaseMs?: number;
  /** How long the relay waits after an empty claim before it looks again, in ms; 20 by default. */
  readonly idleMs?: number;
  /**
   * Every append this relay must see promptly nudges it (one process, embedded mode). An acknowledgement
   * then wakes it only when something was appended since its last claim: a claim right after an
   * acknowledgement would otherwise most often find nothing, and cost the shared database as much as a
   * commit. False by default (other processes append unseen, so an acknowledgement always wakes it).
   */
  readonly appendsNudge?: boolean;
  /** Waits after a failed pass (store or bus down), doubling from `minMs` to `maxMs`; 100 and 1,000 by default. */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
  readonly now?: () => Date;
  /** Told of every pass that claimed something (metrics: relayed count, lag). */
  readonly onPass?: (pass: RelayPass) => void;
  /** Told of every failed pass; the relay carries on after its backoff. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The relay worker: claim → publish, in a loop; the router acknowledges what it routed. It looks again at
 * once after a full claim, and otherwise waits `idleMs` (or less, when `nudge` says something was appended
 * or `acknowledged` that rows were routed), and backs off after a failure. It never throws out of its loop. Any number of relays may run at once.
 */
export class Relay {
  readonly #options: RelayOptions;
  readonly #wake = new WakeUp();
  /** Backoff waits end only on stop: an append must not hurry retries against a store that is down. */
  readonly #stopWake = new WakeUp();
  #loop: Promise<void> | undefined;
  #stopping = false;
  /**
   * Set after a pass that published: its connections are held until the router acknowledges, so a claim
   * woken by an append would most likely find nothing. Appends then wait for `acknowledged` or the idle
   * interval instead of costing an empty claim each.
   */
  #awaitingAck = false;
  /** A nudge came since the last claim began: there may be rows it did not see. */
  #appendedSinceClaim = false;

  constructor(options: RelayOptions) {
    this.#options = options;
  }

  /** Starts the loop; a second call does nothing. */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    this.#stopWake.reset();
    this.#loop = this.#run();
  }

  /**
   * Something was appended: look at the outbox now rather than after the idle interval — unless what this
   * relay published last is not acknowledged yet, in which case it looks when it is (or after the interval).
   */
  nudge(): void {
    this.#appendedSinceClaim = true;
    if (!this.#awaitingAck) this.#wake.nudge();
  }

  /**
   * A router in this process acknowledged rows: their connections can be claimed again, so look now (with
   * `appendsNudge`, only if something was appended since the last claim).
   */
  acknowledged(): void {
    this.#awaitingAck = false;
    if (this.#options.appendsNudge !== true || this.#appendedSinceClaim) this.#wake.nudge();
  }

  /** Stops after the pass under way (its rows are published and marked, or left to their lease). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake.nudge();
    this.#stopWake.nudge();
    await this.#loop;
    this.#loop = undefined;
  }

  /** One pass, outside the loop (tests, and a drain before shutdown). */
  runOnce(): Promise<RelayPass> {
    return relayPass({
      outbox: this.#options.outbox,
      bus: this.#options.bus,
      owner: this.#options.owner,
      limit: this.#options.batchSize ?? 500,
      leaseMs: this.#options.leaseMs ?? 30_000,
      now: this.#options.now ?? (() => new Date()),
    });
  }

  async #run(): Promise<void> {
    const idleMs = this.#options.idleMs ?? 20;
    const batchSize = this.#options.batchSize ?? 500;
    // At most a second apart: a storage outage costs one query a second, and its end is noticed within one.
    const backoff = this.#options.backoff ?? { minMs: 100, maxMs: 1_000 };
    let failures = 0;
    while (!this.#stopping) {
      try {
        this.#appendedSinceClaim = false;
        const pass = await this.runOnce();
        failures = 0;
        if (pass.claimed > 0) this.#options.onPass?.(pass);
        if (pass.published > 0) this.#awaitingAck = true;
        // A claim short of the limit took everything claimable: the next one would find only what commits
        // meanwhile, and its connections held. So wait for an acknowledgement, an append or the interval.
        if (pass.claimed < batchSize) {
          await this.#wake.sleep(idleMs);
          // The interval passed (or a nudge came): look again, and let appends wake the relay again.
          this.#awaitingAck = false;
        }
      } catch (error) {
        failures++;
        this.#report(error);
        if (!this.#stopping) await this.#stopWake.sleep(backoffMs(failures, backoff));
      }
    }
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A failing reporter must not stop the relay.
    }
  }
}
