import type { DeliveryOutcome } from './delivery-outcome.ts';

/** What an attempt says about its endpoint's health. */
export type BreakerSignal = 'success' | 'failure' | 'ignore';

/**
 * How an outcome counts for the endpoint's circuit breaker. The endpoint is failing when it could not be
 * reached, timed out, answered 5xx, 408 or 429; it is up when it answered anything else (a 4xx, a redirect,
 * a 409, a 410 are its answers, not its failures). A refused target was never contacted and counts for
 * nothing.
 */
export function breakerSignal(outcome: DeliveryOutcome): BreakerSignal {
  switch (outcome.kind) {
    case 'delivered':
    case 'failed':
    case 'gone':
      return 'success';
    case 'refused':
      return 'ignore';
    case 'retry': {
      const status = outcome.status;
      if (status === undefined || status >= 500 || status === 408 || status === 429) return 'failure';
      return 'success';
    }
  }
}

/** The breaker key of a target: its origin (scheme, host and port), so paths of one endpoint share it. */
export function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
