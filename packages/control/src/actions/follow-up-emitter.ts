import type { ConnectionStore } from '@sluice/core';
import type { EmitFollowUps } from '@sluice/execute';
import type { Ingestor } from '@sluice/ingest';

/** What `followUpEmitter` stands on. */
export interface FollowUpEmitterDeps {
  readonly connections: Pick<ConnectionStore, 'get'>;
  readonly ingestor: Pick<Ingestor, 'ingest'>;
}

/**
 * The handler runner's `emit`: a handler's follow-up emissions ingested on a connection of the trigger's
 * tenant, as one atomic batch, each carrying the `causation_id` and `correlation_id` of the event that
 * caused it and continuing its trace. Dedupe keys make a retried plan's emissions `replayed`, not doubled.
 */
export function followUpEmitter(deps: FollowUpEmitterDeps): EmitFollowUps {
  return async (target, emissions, cause) => {
    const connection = await deps.connections.get(target.tenant_id, target.connection_id);
    if (connection === null || connection.tenant_id !== target.tenant_id) {
      return {
        status: 'rejected',
        error: `Connection ${JSON.stringify(target.connection_id)} is not a connection of tenant ${target.tenant_id}.`,
      };
    }
    if (connection.status !== 'active') {
      return {
        status: 'rejected',
        error: `Connection ${JSON.stringify(connection.id)} is ${connection.status}.`,
      };
    }
    const stamped = emissions.map((emission) => ({
      ...emission,
      causation_id: cause.causation_id,
      correlation_id: cause.correlation_id,
    }));
    const result = await deps.ingestor.ingest(connection, stamped, { trace_id: cause.trace_id });
    if (result.status === 'rejected') {
      const { rejection } = result;
      return { status: 'rejected', error: rejection.message };
    }
    if (result.status === 'replayed') return { status: 'replayed', event_ids: [] };
    // A duplicate (a retried plan) names the event it duplicates.
    return { status: 'committed', event_ids: result.results.map((element) => element.event_id) };
  };
}
