import type { SqlClient } from '@sluice/store';

/** Seconds from a fault's end to each stage's first piece of work after it. */
export interface StageRecovery {
  /** An envelope committed (the receiver). */
  readonly receiver: number | null;
  /** An outbox row published to the bus (the relay). */
  readonly relay: number | null;
  /** A job created from the bus (the router). */
  readonly router: number | null;
  /** An attempt at a job started (the executor). */
  readonly executor: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits, up to `timeoutMs`, until every stage has done work since `since` (as the store records it) and
 * answers how long after `since` each first did; a stage that never did is null. The slowest is the
 * pipeline's recovery, whatever backlog the fault left behind.
 */
export async function stageRecovery(
  sql: SqlClient,
  since: number,
  timeoutMs: number,
): Promise<StageRecovery> {
  const at = new Date(since).toISOString();
  const end = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql
      .query<Record<keyof StageRecovery, string | null>>(
        `SELECT (SELECT EXTRACT(EPOCH FROM min(received_at) - $1::timestamptz) FROM envelopes WHERE received_at > $1)::text AS receiver,
                (SELECT EXTRACT(EPOCH FROM min(relayed_at) - $1::timestamptz) FROM outbox WHERE relayed_at > $1)::text AS relay,
                (SELECT EXTRACT(EPOCH FROM min(created_at) - $1::timestamptz) FROM jobs WHERE created_at > $1)::text AS router,
                (SELECT EXTRACT(EPOCH FROM min(started_at) - $1::timestamptz) FROM job_attempts WHERE started_at > $1)::text AS executor`,
        [at],
      )
      .catch(() => [] as Array<Record<keyof StageRecovery, string | null>>);
    const value = (s: string | null | undefined) => (s == null ? null : Math.round(Number(s) * 100) / 100);
    const recovery: StageRecovery = {
      receiver: value(row?.receiver),
      relay: value(row?.relay),
      router: value(row?.router),
      executor: value(row?.executor),
    };
    if (Object.values(recovery).every((v) => v !== null) || Date.now() > end) return recovery;
    await sleep(100);
  }
}

/** The slowest stage's recovery in ms, or null if some stage never recovered. */
export function slowestMs(recovery: StageRecovery): number | null {
  const values = Object.values(recovery);
  if (values.some((v) => v === null)) return null;
  return Math.max(...(values as number[])) * 1000;
}
