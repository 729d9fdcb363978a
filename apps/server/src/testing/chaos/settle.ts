import type { Ledger, LedgerCounts } from './ledger.ts';
import type { AckedEvent } from './webhook-load.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every acknowledged event has all its effects and every job has finished: up to `timeoutMs`
 * in all, and no longer than `stallMs` (default: `timeoutMs`) without any effect or job moving on, so a
 * slow drain on a loaded machine is waited out while a stuck one is not. Then waits `quietMs` more
 * (repeats still in flight after a crash must add nothing) and counts once more. Answers the final
 * counts, and how long the drain took.
 */
export async function settle(
  ledger: Ledger,
  acked: ReadonlyMap<string, AckedEvent>,
  options: { timeoutMs: number; quietMs: number; stallMs?: number },
): Promise<{ counts: LedgerCounts; drainMs: number }> {
  const started = Date.now();
  const stallMs = options.stallMs ?? options.timeoutMs;
  let left = Number.POSITIVE_INFINITY;
  let movedAt = started;
  for (;;) {
    const counts = await ledger.count(acked);
    const now = Date.now();
    if (counts.lost + counts.unfinished_jobs < left) {
      left = counts.lost + counts.unfinished_jobs;
      movedAt = now;
    }
    if (left === 0 || now - started > options.timeoutMs || now - movedAt > stallMs) break;
    await sleep(500);
  }
  const drainMs = Date.now() - started;
  await sleep(options.quietMs);
  return { counts: await ledger.count(acked), drainMs };
}
