import type { Connection, Connector, NewDeadLetter } from '@sluice/core';
import type { MappingFailure } from '@sluice/map';
import type { Delivery } from './delivery.ts';

/** Headers kept with a dead letter: what re-verifying and re-mapping need, never credentials. */
const DROPPED_HEADERS = new Set([
  'authorization',
  'cookie',
  'proxy-authorization',
  'connection',
  'content-length',
  'host',
]);

/** The dead letter of a delivery the mapping could not handle: the raw bytes, the headers, the error. */
export function deadLetterRecord(
  connector: Connector,
  connection: Connection,
  delivery: Delivery,
  failure: MappingFailure,
  id?: string,
): NewDeadLetter {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) {
    if (!DROPPED_HEADERS.has(name)) headers[name] = value;
  }
  const { message, stack: _stack, ...context } = failure;
  return {
    ...(id === undefined ? {} : { id }),
    tenant_id: connection.tenant_id,
    connector: connector.id,
    connection_id: connection.id,
    event_payload: {
      body_base64: delivery.rawBody.toString('base64'),
      headers,
      content_type: delivery.headers['content-type'] ?? null,
    },
    error_message: message,
    error_context: { ...context, connection_id: connection.id, connector_version: connector.version },
  };
}
