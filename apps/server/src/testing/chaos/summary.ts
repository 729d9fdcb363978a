import type { LedgerCounts } from './ledger.ts';

/** Seconds, to two decimals. */
export const seconds = (ms: number): number => Math.round(ms / 10) / 100;

/** The JSON line a chaos scenario prints: the ledger's figures, its rounds and recovery, and its verdict. */
export interface ChaosSummary extends Omit<LedgerCounts, 'problems'> {
  readonly scenario: string;
  readonly rounds: number;
  /** Seconds from each fault's end to the pipeline moving again: the slowest, and the mean. */
  readonly recovery_s: { readonly max: number; readonly mean: number };
  readonly duration_s: number;
  /** Scenario-specific figures (per-kind rounds, statuses seen while down, ...). */
  readonly details: Readonly<Record<string, unknown>>;
  readonly passed: boolean;
  /** Why it failed: each loss, duplicate or broken bound, with examples. */
  readonly problems: ReadonlyArray<string>;
  /** Why it did not run here (it needs root to mount, say); absent when it ran. */
  readonly skipped?: string;
}

/** The slowest and the mean of some recovery times in ms, as seconds. */
export function recoveryOf(times: ReadonlyArray<number>): { max: number; mean: number } {
  if (times.length === 0) return { max: 0, mean: 0 };
  return {
    max: seconds(Math.max(...times)),
    mean: seconds(times.reduce((a, b) => a + b, 0) / times.length),
  };
}

/**
 * A scenario's summary: it passes when nothing acknowledged is lost or doubled, no entity ran twice at
 * once, every job finished, and none of the scenario's own `problems` came up.
 */
export function summarize(
  base: { scenario: string; rounds: number; recoveries: ReadonlyArray<number>; startedAt: number },
  counts: LedgerCounts,
  details: Record<string, unknown>,
  problems: ReadonlyArray<string>,
): ChaosSummary {
  const { problems: ledgerProblems, ...figures } = counts;
  const all = [...ledgerProblems, ...problems];
  if (counts.unfinished_jobs > 0) all.push(`${counts.unfinished_jobs} jobs not succeeded at the end`);
  if (counts.acked === 0) all.push('nothing was acknowledged: the load did not run');
  return {
    scenario: base.scenario,
    ...figures,
    rounds: base.rounds,
    recovery_s: recoveryOf(base.recoveries),
    duration_s: seconds(Date.now() - base.startedAt),
    details,
    passed: all.length === 0,
    problems: all,
  };
}

/** The summary of a scenario that could not run here: nothing counted, not failed, and why. */
export function skipped(scenario: string, reason: string, startedAt: number): ChaosSummary {
  return {
    scenario,
    acked: 0,
    stored: 0,
    routed: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    concurrent_entities: 0,
    unfinished_jobs: 0,
    rounds: 0,
    recovery_s: { max: 0, mean: 0 },
    duration_s: seconds(Date.now() - startedAt),
    details: {},
    passed: true,
    problems: [],
    skipped: reason,
  };
}
