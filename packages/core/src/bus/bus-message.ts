import type { Envelope } from '../envelope.ts';
import type { BusAttributes, BusMessage } from '../ports/bus-port.ts';

/** The filterable attributes of an envelope, as mirrored on its bus message. */
export function busAttributesOf(envelope: Envelope): BusAttributes {
  return {
    event_id: envelope.event_id,
    event_type: envelope.event_type,
    tenant_id: envelope.tenant_id,
    connection_id: envelope.connection_id,
    trace_id: envelope.trace_id,
    correlation_id: envelope.correlation_id,
    schema_version: envelope.schema_version,
    mode: envelope.mode,
  };
}

/** The bus message of an envelope: keyed by its connection, so one connection's envelopes keep their order. */
export function busMessageOf(envelope: Envelope): BusMessage {
  return {
    key: envelope.connection_id,
    attributes: busAttributesOf(envelope),
    body: JSON.stringify(envelope),
  };
}
