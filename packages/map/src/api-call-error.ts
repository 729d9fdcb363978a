/** What a failed API call came to, in the executor's outcome classes. */
export type ApiFailure =
  /** Another attempt may succeed: 408, 409, 425, 429, 5xx, 3xx, a timeout, a network failure. */
  | {
      readonly kind: 'retry';
      readonly status?: number;
      readonly error: string;
      /** The provider's `Retry-After`, ms. */
      readonly retry_after_ms?: number;
    }
  /** Another attempt would get the same answer: any other 4xx. */
  | { readonly kind: 'failed'; readonly status: number; readonly error: string }
  /** Nothing was sent: the target guard refused the base URL, or the request could not be built. */
  | { readonly kind: 'refused'; readonly rule: string; readonly error: string };

/**
 * What `ctx.client.request` rejects with when the provider's answer is not 2xx or none came. A connector
 * action lets it propagate (or catches it to treat, say, a 404 as done); the executor turns it into the
 * job's outcome.
 */
export class ApiCallError extends Error {
  readonly failure: ApiFailure;

  constructor(failure: ApiFailure) {
    super(failure.error);
    this.name = 'ApiCallError';
    this.failure = failure;
  }
}

/** True for an `ApiCallError`, also across copies of this module. */
export function isApiCallError(error: unknown): error is ApiCallError {
  return (
    error instanceof ApiCallError ||
    (error instanceof Error && error.name === 'ApiCallError' && 'failure' in error)
  );
}
