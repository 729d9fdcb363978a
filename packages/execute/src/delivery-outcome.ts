import type { TargetRule } from './target-guard.ts';

/** The target answered 2xx: the delivery is done. */
export interface Delivered {
  readonly kind: 'delivered';
  readonly status: number;
  /** From sending to the response's status line. */
  readonly latency_ms: number;
}

/**
 * The attempt failed in a way another attempt may fix: 3xx (redirects are not followed), 408, 409, 425,
 * 429, 5xx, a timeout, a refused or reset connection, a DNS failure, a response that broke off.
 */
export interface RetryableFailure {
  readonly kind: 'retry';
  /** The target's status, when it answered. */
  readonly status?: number;
  readonly error: string;
  /** The target's `Retry-After`, in milliseconds from when the response arrived. */
  readonly retry_after_ms?: number;
}

/** A 4xx other than 408, 409, 410, 425 and 429: another attempt would get the same answer. */
export interface PermanentFailure {
  readonly kind: 'failed';
  readonly status: number;
  readonly error: string;
}

/** 410 Gone: the receiver says the endpoint is no more; the action is disabled. */
export interface Gone {
  readonly kind: 'gone';
  readonly status: 410;
}

/**
 * Nothing was sent: the URL is malformed, not http(s), carries credentials, or points (directly or through
 * DNS) at an address the guard refuses; or the request could not be built (an unusable secret, a header
 * Node will not send).
 */
export interface Refused {
  readonly kind: 'refused';
  readonly rule: TargetRule;
  readonly error: string;
}

/** What one delivery attempt came to. */
export type DeliveryOutcome = Delivered | RetryableFailure | PermanentFailure | Gone | Refused;

/** The statuses below 500 that are retried: timeout, conflict, too early, too many requests. */
export const RETRYABLE_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 409, 425, 429]);

/** What the response of one attempt told: its status, its `Retry-After` and the start of its body. */
export interface ResponseFacts {
  readonly status: number;
  readonly latency_ms: number;
  /** Parsed `Retry-After`, ms. */
  readonly retry_after_ms: number | null;
  /** The `Location` of a redirect, for the error. */
  readonly location?: string;
  /** The first bytes of the body, decoded, for the error. */
  readonly body: string;
}

function describe(facts: ResponseFacts): string {
  const snippet = facts.body.trim() === '' ? '' : `: ${facts.body}`;
  if (facts.status >= 300 && facts.status < 400) {
    const to = facts.location === undefined ? '' : ` to ${facts.location}`;
    return `HTTP ${facts.status}: redirect${to} not followed${snippet}`;
  }
  return `HTTP ${facts.status}${snippet}`;
}

/**
 * Classifies a response: 2xx delivered; 410 gone; 408, 409, 425, 429 and 5xx retried, with their
 * `Retry-After`; any other 4xx failed for good; 3xx (redirects are never followed) and anything else
 * retried.
 */
export function classifyResponse(facts: ResponseFacts): DeliveryOutcome {
  const { status } = facts;
  if (status >= 200 && status < 300) return { kind: 'delivered', status, latency_ms: facts.latency_ms };
  if (status === 410) return { kind: 'gone', status: 410 };
  if (status >= 400 && status < 500 && !RETRYABLE_CLIENT_STATUSES.has(status)) {
    return { kind: 'failed', status, error: describe(facts) };
  }
  return {
    kind: 'retry',
    status,
    error: describe(facts),
    ...(facts.retry_after_ms === null ? {} : { retry_after_ms: facts.retry_after_ms }),
  };
}
