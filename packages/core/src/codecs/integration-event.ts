import type { CloudEventContext } from '../cloudevent-context.ts';
import { entityKey } from '../entity-key.ts';
import type { Envelope, EnvelopeMode } from '../envelope.ts';

/**
 * The envelope in the camelCase integration-event shape consumers on a message bus expect
 * (`eventId, eventType, tenantId, traceId, correlationId, causationId, occurredAt, payload`),
 * every other envelope field camelCased alongside. The payload is carried unchanged.
 */
export interface IntegrationEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly tenantId: string;
  readonly resellerId: string | null;
  readonly workspaceId: string | null;
  readonly connectionId: string;
  readonly source: string;
  readonly stream: string;
  readonly dedupeKey: string;
  readonly traceId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly occurredAt: string | null;
  readonly receivedAt: string;
  readonly mode: EnvelopeMode;
  readonly schemaVersion: string;
  readonly agentId: string | null;
  readonly sessionId: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
  /** The context attributes of the CloudEvent the envelope came in as, unchanged; null otherwise. */
  readonly cloudevent: CloudEventContext | null;
}

/** Message attributes mirrored outside the body so broker subscriptions filter without parsing it. */
export type IntegrationAttributes = Readonly<Record<string, string>>;

/** The names {@link attributesOf} can set; `sluice-entity-key` only when the payload names an entity. */
export const INTEGRATION_ATTRIBUTE_NAMES = [
  'sluice-event-type',
  'sluice-tenant-id',
  'sluice-connection-id',
  'sluice-source',
  'sluice-stream',
  'sluice-mode',
  'sluice-trace-id',
  'sluice-correlation-id',
  'sluice-schema-version',
  'sluice-entity-key',
] as const;

/** Project an envelope onto the integration-event shape. */
export function toIntegrationEvent(envelope: Envelope): IntegrationEvent {
  return {
    eventId: envelope.event_id,
    eventType: envelope.event_type,
    tenantId: envelope.tenant_id,
    resellerId: envelope.reseller_id,
    workspaceId: envelope.workspace_id,
    connectionId: envelope.connection_id,
    source: envelope.source,
    stream: envelope.stream,
    dedupeKey: envelope.dedupe_key,
    traceId: envelope.trace_id,
    correlationId: envelope.correlation_id,
    causationId: envelope.causation_id,
    occurredAt: envelope.occurred_at,
    receivedAt: envelope.received_at,
    mode: envelope.mode,
    schemaVersion: envelope.schema_version,
    agentId: envelope.agent_id,
    sessionId: envelope.session_id,
    payload: envelope.payload,
    cloudevent: envelope.cloudevent,
  };
}

/** The inverse of {@link toIntegrationEvent}. */
export function fromIntegrationEvent(event: IntegrationEvent): Envelope {
  return {
    event_id: event.eventId,
    reseller_id: event.resellerId,
    tenant_id: event.tenantId,
    workspace_id: event.workspaceId,
    connection_id: event.connectionId,
    source: event.source,
    event_type: event.eventType,
    stream: event.stream,
    dedupe_key: event.dedupeKey,
    correlation_id: event.correlationId,
    causation_id: event.causationId,
    trace_id: event.traceId,
    occurred_at: event.occurredAt,
    received_at: event.receivedAt,
    mode: event.mode,
    schema_version: event.schemaVersion,
    payload: event.payload,
    agent_id: event.agentId,
    session_id: event.sessionId,
    cloudevent: event.cloudevent ?? null,
  };
}

/** The filterable attributes of an envelope, to set as broker message properties. */
export function attributesOf(envelope: Envelope): IntegrationAttributes {
  const entity = entityKey(envelope.payload);
  return {
    'sluice-event-type': envelope.event_type,
    'sluice-tenant-id': envelope.tenant_id,
    'sluice-connection-id': envelope.connection_id,
    'sluice-source': envelope.source,
    'sluice-stream': envelope.stream,
    'sluice-mode': envelope.mode,
    'sluice-trace-id': envelope.trace_id,
    'sluice-correlation-id': envelope.correlation_id,
    'sluice-schema-version': envelope.schema_version,
    ...(entity === null ? {} : { 'sluice-entity-key': entity }),
  };
}
