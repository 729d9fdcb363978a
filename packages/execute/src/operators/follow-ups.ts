import type { Emission, Envelope } from '@sluice/core';

/** The event that caused follow-up emissions: every one of them carries its ids. */
export interface FollowUpCause {
  /** The triggering event's id. */
  readonly causation_id: string;
  /** The triggering event's correlation id. */
  readonly correlation_id: string;
  /** The triggering event's trace, continued. */
  readonly trace_id: string;
}

/** Where follow-up emissions are ingested: a connection of the trigger's tenant. */
export interface FollowUpTarget {
  readonly tenant_id: string;
  readonly connection_id: string;
}

/** What ingesting follow-ups came to. */
export type EmitOutcome =
  | { readonly status: 'committed' | 'replayed'; readonly event_ids: ReadonlyArray<string> }
  | { readonly status: 'rejected'; readonly error: string };

/**
 * Ingests follow-up emissions on a tenant's connection, stamped with their cause; the server wires it to
 * the ingestor (control's `followUpEmitter`). A `rejected` batch stored nothing; a throw is unexpected.
 */
export type EmitFollowUps = (
  target: FollowUpTarget,
  emissions: ReadonlyArray<Emission>,
  cause: FollowUpCause,
) => Promise<EmitOutcome>;

/** The cause of what a handler emits about `envelope`. */
export function causeOf(envelope: Envelope): FollowUpCause {
  return {
    causation_id: envelope.event_id,
    correlation_id: envelope.correlation_id,
    trace_id: envelope.trace_id,
  };
}

/**
 * The emissions with the cause's ids (the operator's own values of these fields are replaced: a follow-up
 * is caused by the event the operator ran for), and `agent_id` `operator:<name>` unless one is set.
 */
export function stampFollowUps(
  emissions: ReadonlyArray<Emission>,
  cause: FollowUpCause,
  operatorName: string,
): Emission[] {
  return emissions.map((emission) => ({
    ...emission,
    causation_id: cause.causation_id,
    correlation_id: cause.correlation_id,
    agent_id: emission.agent_id ?? `operator:${operatorName}`,
  }));
}
