import {
  type ClaimedJob,
  PLATFORM_CONNECTOR_ID,
  type PlatformEventInput,
  type PlatformEventType,
  platformDedupeKey,
} from '@sluice/core';

/** What a job's receipts say about the attempt that ended it. */
export interface ReceiptFacts {
  /** `succeeded`, `planned` (a dry run), `dead_lettered`, `skipped` or `disabled`. */
  readonly outcome: string;
  readonly attempt: number;
  readonly status_code: number | null;
  readonly latency_ms: number | null;
  readonly error: string | null;
  /** The failure class of a dead letter (`permanent`, `refused`, `attempts_exhausted`, `gone`). */
  readonly failure?: string;
  /** A dry run's record of what would have run (the runner's result). */
  readonly planned?: unknown;
}

/** The platform event types the executor reports a job's end with. */
const RECEIPT_TYPES: ReadonlySet<string> = new Set<PlatformEventType>([
  'run.completed',
  'webhook.delivered',
  'integration.failed',
  'webhook.disabled',
]);

/**
 * True when the job's event is itself a receipt of a job of the same trigger: its own receipts are then
 * not published, or a trigger on `*` (or `run.*`) would feed on its own receipts for ever.
 */
export function isOwnReceipt(claimed: ClaimedJob): boolean {
  const { envelope, trigger } = claimed;
  return (
    envelope.source === PLATFORM_CONNECTOR_ID &&
    RECEIPT_TYPES.has(envelope.event_type) &&
    trigger !== null &&
    envelope.payload['trigger_id'] === trigger.id
  );
}

function receipt(claimed: ClaimedJob, type: PlatformEventType, facts: ReceiptFacts): PlatformEventInput {
  const { job, envelope } = claimed;
  const entity = { kind: 'job', id: job.id };
  return {
    event_type: type,
    entity,
    dedupe_key: platformDedupeKey(entity, type, String(facts.attempt)),
    causation_id: envelope.event_id,
    correlation_id: envelope.correlation_id,
    payload: {
      job_id: job.id,
      trigger_id: job.trigger_id,
      event_id: job.event_id,
      event_type: envelope.event_type,
      action_type: claimed.trigger?.action.type ?? null,
      idempotency_key: claimed.idempotency_key,
      attempts: facts.attempt,
      outcome: facts.outcome,
      status_code: facts.status_code,
      latency_ms: facts.latency_ms,
      error: facts.error,
      ...(facts.failure === undefined ? {} : { failure: facts.failure }),
      ...(facts.planned === undefined ? {} : { dry_run: true, planned: facts.planned }),
    },
  };
}

/**
 * The platform events a job's final outcome commits with: `run.completed` always (for a dry run with
 * outcome `planned` and what would have run); `webhook.delivered` for a delivered http action; `integration.failed` for a dead letter; `webhook.disabled` for a 410.
 */
export function receiptsOf(claimed: ClaimedJob, facts: ReceiptFacts): PlatformEventInput[] {
  if (isOwnReceipt(claimed)) return [];
  const events: PlatformEventInput[] = [];
  const http = claimed.trigger?.action.type === 'http';
  if (facts.outcome === 'succeeded' && http) events.push(receipt(claimed, 'webhook.delivered', facts));
  if (facts.outcome === 'dead_lettered' || facts.outcome === 'disabled') {
    events.push(receipt(claimed, 'integration.failed', facts));
  }
  if (facts.outcome === 'disabled' && claimed.trigger !== null) {
    const entity = { kind: 'trigger', id: claimed.trigger.id };
    const action = claimed.trigger.action;
    events.push({
      event_type: 'webhook.disabled',
      entity,
      dedupe_key: platformDedupeKey(entity, 'webhook.disabled', claimed.job.id, String(facts.attempt)),
      causation_id: claimed.envelope.event_id,
      correlation_id: claimed.envelope.correlation_id,
      payload: {
        trigger_id: claimed.trigger.id,
        job_id: claimed.job.id,
        url: action.type === 'http' ? action.url : null,
        status_code: 410,
        reason: 'the target answered 410 Gone',
      },
    });
  }
  events.push(receipt(claimed, 'run.completed', facts));
  return events;
}
