import type { StreamSchedule } from '@sluice/core';

/** What one poll pass over a stream did (the poll pass's result). */
export interface PollPassResult {
  readonly status: 'completed' | 'rate_limited' | 'failed' | 'aborted';
  readonly pages: number;
  readonly records: number;
  readonly emitted: number;
  readonly duplicates: number;
  readonly changes: number;
  /** ISO time the provider asked to wait until (429/503 `Retry-After`, or the handler's own signal). */
  readonly rateLimitedUntil?: string;
  readonly error?: string;
}

/** Runs one poll pass over a claimed stream, from its last success to now. */
export interface StreamRunner {
  run(
    stream: StreamSchedule,
    window: { readonly from: string | null; readonly to: string },
    signal: AbortSignal,
  ): Promise<PollPassResult>;
}
