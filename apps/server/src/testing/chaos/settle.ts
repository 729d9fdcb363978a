import type { Ledger, LedgerCounts } from './ledger.ts';
import type { AckedEvent } from './webhook-load.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits, up to `timeoutMs`, until every acknowledged event has all its effects and every job has
 * finished; then waits `quietMs` more (repeats still in flight after a crash must add nothing) and
 * counts once more. Answers the final counts, and how long the drain took.
 */
export async function settle(
  ledger: Ledger,
  acked: ReadonlyMap<string, AckedEvent>,
  options: { timeoutMs: number; quietMs: number },
): Promise<{ counts: LedgerCounts; drainMs: number }> {
  const started = Date.now();
  for (;;) {
    const counts = await ledger.count(acked);
    if ((counts.lost === 0 && counts.unfinished_jobs === 0) || Date.now() - started > options.timeoutMs)
      break;
    await sleep(500);
  }
  const drainMs = Date.now() - started;
  await sleep(options.quietMs);
  return { counts: await ledger.count(acked), drainMs };
}
