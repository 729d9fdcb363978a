import type { ClaimedJob, JobAttempt, JobOutcome, JobQueue, PlatformEventInput } from '@sluice/core';
import type { ActionOutcome, ActionRunner } from './action-runner.ts';
import { decideAfterAttempt } from './attempt-decision.ts';
import { originOf } from './breaker-signal.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { jobDeadLetter } from './job-dead-letter.ts';
import { receiptsOf } from './job-receipts.ts';
import { retrySettings } from './retry-policy.ts';
import { busyDelayMs, type TargetSlots } from './target-slots.ts';

/** The error an attempt postponed by an open circuit records; such attempts do not count. */
export const CIRCUIT_OPEN = 'circuit open';
/** The error an attempt postponed because its target had all its slots in flight records; not counted either. */
export const TARGET_BUSY = 'target busy';

/** What running one claimed job came to: the outcome to finish it with, its receipts, and what follows. */
export interface JobRun {
  readonly outcome: JobOutcome;
  readonly receipts: ReadonlyArray<PlatformEventInput>;
  /** A 410: the trigger's action is to be disabled. */
  readonly disable: boolean;
  /** `succeeded`, `retry`, `dead_lettered`, `skipped`, `disabled`, `postponed` or `remembered`. */
  readonly label: string;
  /** The action's own time, when it ran. */
  readonly latency_ms: number | null;
}

export interface RunJobDeps {
  readonly queue: Pick<JobQueue, 'recall'>;
  readonly runners: ReadonlyMap<string, ActionRunner>;
  readonly breaker: CircuitBreaker;
  /** The per-target cap on attempts in flight; absent: no cap. */
  readonly targetSlots?: TargetSlots;
  readonly now: () => number;
  readonly random: () => number;
  readonly resultTtlMs: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const isBusy = (a: JobAttempt) => a.error?.startsWith(TARGET_BUSY) === true;
const isPostponed = (a: JobAttempt) => a.error?.startsWith(CIRCUIT_OPEN) === true || isBusy(a);

/** Attempts that ran the action: those an open circuit or a full target postponed are not counted. */
function attemptsMade(claimed: ClaimedJob): number {
  const postponed = claimed.job.attempts.filter(isPostponed).length;
  return Math.max(1, claimed.attempt - postponed);
}

/** A job not sent now: back as `retrying` after `waitMs`, its attempt recorded with `error`. */
function postpone(deps: RunJobDeps, started: number, error: string, waitMs: number): JobRun {
  const record: JobAttempt = { started_at: iso(started), status_code: null, latency_ms: null, error };
  return {
    outcome: { kind: 'retry', attempt: record, run_after: iso(deps.now() + waitMs) },
    receipts: [],
    disable: false,
    label: 'postponed',
    latency_ms: null,
  };
}

/** Runs the action under its time limit; a throw, or a runner that ignores the signal, is a retryable failure. */
async function runAction(
  runner: ActionRunner,
  claimed: ClaimedJob,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<{ outcome: ActionOutcome; stack?: string }> {
  const trigger = claimed.trigger;
  if (trigger === null) throw new Error('runAction needs a trigger');
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([stop, timeout]);
  let onAbort: () => void = () => {};
  const aborted = new Promise<{ outcome: ActionOutcome }>((resolve) => {
    onAbort = () => {
      const error = stop.aborted ? 'Aborted: the executor stopped.' : `Timed out after ${timeoutMs} ms.`;
      // A grace of 1 s lets a runner that honours the signal report its own outcome first.
      setTimeout(() => resolve({ outcome: { kind: 'retry', error } }), 1_000).unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      runner
        .run({
          job: claimed.job,
          envelope: claimed.envelope,
          trigger,
          idempotencyKey: claimed.idempotency_key,
          attempt: claimed.attempt,
          timeoutMs,
          signal,
        })
        .then((outcome) => ({ outcome })),
      aborted,
    ]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    return {
      outcome: { kind: 'retry', error: `The ${runner.type} action threw: ${message}` },
      ...(stack === undefined ? {} : { stack }),
    };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * One claimed job, start to end: skipped when its trigger is gone or disabled; the remembered result when
 * its idempotency key already made the side effect; postponed (not sent) while its endpoint's circuit is
 * open; otherwise its action under the trigger's time limit, and the next step by the trigger's retry
 * policy. Never throws for what an action does; the caller finishes the job with the outcome.
 */
export async function runJob(deps: RunJobDeps, claimed: ClaimedJob, stop: AbortSignal): Promise<JobRun> {
  const { trigger, job } = claimed;
  const started = deps.now();
  const attempt = attemptsMade(claimed);
  if (trigger === null || !trigger.enabled) {
    const reason = trigger === null ? 'trigger deleted' : 'trigger disabled';
    const facts = { outcome: 'skipped', attempt, status_code: null, latency_ms: null, error: reason };
    return {
      outcome: { kind: 'skipped', reason },
      receipts: receiptsOf(claimed, facts),
      disable: false,
      label: 'skipped',
      latency_ms: null,
    };
  }
  // The claim read it when it could; otherwise it is looked up now.
  const remembered =
    claimed.remembered === undefined
      ? await deps.queue.recall(job.tenant_id, claimed.idempotency_key)
      : claimed.remembered;
  if (remembered !== null) {
    const record: JobAttempt = { started_at: iso(started), status_code: null, latency_ms: 0, error: null };
    const ttl = Math.max(1, Date.parse(remembered.expires_at) - deps.now());
    const facts = { outcome: 'succeeded', attempt, status_code: null, latency_ms: 0, error: null };
    return {
      outcome: { kind: 'succeeded', attempt: record, result: remembered.result, result_ttl_ms: ttl },
      receipts: receiptsOf(claimed, facts),
      disable: false,
      label: 'remembered',
      latency_ms: 0,
    };
  }
  const settings = retrySettings(trigger.retry ?? {});
  const runner = deps.runners.get(trigger.action.type);
  const origin = trigger.action.type === 'http' ? originOf(trigger.action.url) : null;
  let action: { outcome: ActionOutcome; stack?: string };
  if (runner === undefined) {
    const error = `No runner for action type ${trigger.action.type} in this executor.`;
    action = { outcome: { kind: 'refused', rule: 'request_invalid', error } };
  } else {
    const slots = origin === null ? undefined : deps.targetSlots;
    if (origin !== null && slots !== undefined && !slots.tryAcquire(origin)) {
      const earlier = claimed.job.attempts.filter(isBusy).length;
      const error = `${TARGET_BUSY} (${slots.perTarget} in flight) for ${origin}: not sent`;
      return postpone(deps, started, error, busyDelayMs(earlier, deps.random));
    }
    try {
      const permit = origin === null ? null : deps.breaker.canSend(origin);
      if (permit !== null && !permit.allowed) {
        const error = `${CIRCUIT_OPEN} (${permit.state}) for ${origin}: not sent`;
        return postpone(deps, started, error, permit.retry_in_ms);
      }
      action = await runAction(runner, claimed, settings.timeout_ms, stop);
      if (origin !== null) deps.breaker.record(origin, action.outcome);
    } finally {
      if (origin !== null) slots?.release(origin);
    }
  }
  const { outcome } = action;
  const latency = outcome.kind === 'delivered' ? outcome.latency_ms : deps.now() - started;
  const status = 'status' in outcome && outcome.status !== undefined ? outcome.status : null;
  const error =
    outcome.kind === 'delivered' ? null : outcome.kind === 'gone' ? 'HTTP 410 Gone' : outcome.error;
  const record: JobAttempt = { started_at: iso(started), status_code: status, latency_ms: latency, error };
  const facts = { attempt, status_code: status, latency_ms: latency, error };
  const decision = decideAfterAttempt(outcome, attempt, settings, deps.random);
  switch (decision.next) {
    case 'succeed': {
      const result = outcome.kind === 'delivered' ? (outcome.result ?? null) : null;
      // A dry run made no side effect: nothing may answer for its key once the tenant runs for real, and
      // its receipt says what would have run.
      const dryRun = outcome.kind === 'delivered' && outcome.dry_run === true;
      return {
        outcome: {
          kind: 'succeeded',
          attempt: record,
          result,
          result_ttl_ms: dryRun ? 0 : deps.resultTtlMs,
        },
        receipts: receiptsOf(
          claimed,
          dryRun ? { ...facts, outcome: 'planned', planned: result } : { ...facts, outcome: 'succeeded' },
        ),
        disable: false,
        label: dryRun ? 'planned' : 'succeeded',
        latency_ms: latency,
      };
    }
    case 'retry':
      return {
        outcome: { kind: 'retry', attempt: record, run_after: iso(deps.now() + decision.delay_ms) },
        receipts: [],
        disable: false,
        label: 'retry',
        latency_ms: latency,
      };
    case 'dead_letter':
    case 'disable': {
      const failure = decision.next === 'disable' ? 'gone' : decision.reason;
      const dead = jobDeadLetter(claimed, {
        failure,
        error: error ?? 'failed',
        status_code: status,
        attempts: attempt,
        ...(action.stack === undefined ? {} : { stack: action.stack }),
      });
      const label = decision.next === 'disable' ? 'disabled' : 'dead_lettered';
      return {
        outcome: { kind: 'dead_lettered', attempt: record, dead_letter: dead },
        receipts: receiptsOf(claimed, { ...facts, outcome: label, failure }),
        disable: decision.next === 'disable',
        label,
        latency_ms: latency,
      };
    }
  }
}
