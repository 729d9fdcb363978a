import type { DeliveryOutcome } from './delivery-outcome.ts';
import { type RetrySettings, retryDelay } from './retry-policy.ts';

/** What a job does after an attempt. */
export type AttemptDecision =
  /** Delivered: the job succeeded. */
  | { readonly next: 'succeed' }
  /** Try again after `delay_ms`. */
  | { readonly next: 'retry'; readonly delay_ms: number }
  /** Give up: the job goes to the dead letters with `reason`. */
  | { readonly next: 'dead_letter'; readonly reason: 'permanent' | 'refused' | 'attempts_exhausted' }
  /** 410: the job ends and the trigger's action is disabled, with a platform event. */
  | { readonly next: 'disable' };

/**
 * The next step after attempt `attempt` (1-based) came to `outcome`: a retryable failure is retried after
 * the backoff (or the target's `Retry-After`, bounded by `max_delay_ms`) until `max_attempts` attempts have
 * been made; a permanent failure or a refused target goes to the dead letters at once.
 */
export function decideAfterAttempt(
  outcome: DeliveryOutcome,
  attempt: number,
  settings: RetrySettings,
  random: () => number,
): AttemptDecision {
  switch (outcome.kind) {
    case 'delivered':
      return { next: 'succeed' };
    case 'gone':
      return { next: 'disable' };
    case 'failed':
      return { next: 'dead_letter', reason: 'permanent' };
    case 'refused':
      return { next: 'dead_letter', reason: 'refused' };
    case 'retry':
      if (attempt >= settings.max_attempts) return { next: 'dead_letter', reason: 'attempts_exhausted' };
      return { next: 'retry', delay_ms: retryDelay(settings, attempt, random, outcome.retry_after_ms) };
  }
}
