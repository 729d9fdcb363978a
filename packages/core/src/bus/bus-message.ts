import type { Envelope } from '../envelope.ts';
import type { BusAttributes, BusMessage } from '../ports/bus-port.ts';
import type { Position } from '../ports/event-log-port.ts';
import type { Origin } from '../trigger.ts';

/** What the outbox row adds to an envelope on the bus: where it came from and where it sits. */
export interface BusRouting {
  readonly origin: Origin;
  readonly position: Position;
  /** The relay span's `traceparent`, when tracing is on. */
  readonly traceparent?: string | null;
  /** When the relay published it, epoch ms. */
  readonly relayed_at?: number;
}

/** The filterable attributes of an envelope, as mirrored on its bus message. */
export function busAttributesOf(envelope: Envelope, routing: BusRouting): BusAttributes {
  return {
    event_id: envelope.event_id,
    event_type: envelope.event_type,
    tenant_id: envelope.tenant_id,
    connection_id: envelope.connection_id,
    trace_id: envelope.trace_id,
    correlation_id: envelope.correlation_id,
    schema_version: envelope.schema_version,
    mode: envelope.mode,
    origin: routing.origin,
    position: routing.position,
    ...(routing.traceparent === null || routing.traceparent === undefined
      ? {}
      : { traceparent: routing.traceparent }),
    ...(routing.relayed_at === undefined ? {} : { relayed_at: routing.relayed_at }),
  };
}

/** The bus message of an envelope: keyed by its connection, so one connection's envelopes keep their order. */
export function busMessageOf(envelope: Envelope, routing: BusRouting): BusMessage {
  return {
    key: envelope.connection_id,
    attributes: busAttributesOf(envelope, routing),
    body: JSON.stringify(envelope),
  };
}
