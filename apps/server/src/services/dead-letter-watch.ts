import type { DeadLetterDepthAlerts, ReplayPolicies } from '@sluice/control';
import type { Stores } from '@sluice/core';
import type { Metrics } from './metrics.ts';

export interface DeadLetterWatchOptions {
  readonly store: Stores;
  readonly metrics: Metrics;
  readonly alerts: DeadLetterDepthAlerts;
  readonly policies: ReplayPolicies;
  /** Between checks, in ms; 0 turns the timer off (`runOnce` still works). */
  readonly intervalMs: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

/**
 * Every `intervalMs`: reads the pending dead letters by tenant and kind into `sluice_dead_letter_depth`,
 * publishes the depth alerts of tenants whose depth crossed their threshold, then runs the replay
 * policies that are due. Depth and policies are separate passes, so a long policy run never delays an
 * alert by more than one interval.
 */
export class DeadLetterWatch {
  readonly #options: DeadLetterWatchOptions;
  #timer: NodeJS.Timeout | undefined;
  #depth: Promise<void> | undefined;
  #policies: Promise<number> | undefined;

  constructor(options: DeadLetterWatchOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.checkDepth().catch((error: unknown) => this.#options.onError?.(error));
      this.runPolicies().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all([this.#depth?.catch(() => undefined), this.#policies?.catch(() => undefined)]);
  }

  /** The gauge and the alerts; a check under way is shared, not doubled. */
  checkDepth(): Promise<void> {
    this.#depth ??= this.#checkDepth().finally(() => {
      this.#depth = undefined;
    });
    return this.#depth;
  }

  /** The policies that are due; the number of replays made. */
  runPolicies(): Promise<number> {
    this.#policies ??= this.#options.policies
      .runDue((this.#options.now ?? (() => new Date()))())
      .finally(() => {
        this.#policies = undefined;
      });
    return this.#policies;
  }

  async #checkDepth(): Promise<void> {
    const depth = await this.#options.store.deadLetters.depth();
    const gauge = this.#options.metrics.deadLetterDepth;
    // Tenants that drained drop out of the query; reset so they read 0 rather than their last depth.
    gauge.reset();
    for (const row of depth) gauge.set({ tenant_id: row.tenant_id, kind: row.kind }, row.pending);
    await this.#options.alerts.check(depth);
  }
}
