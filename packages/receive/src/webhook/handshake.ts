import type { Connection, Connector, HandshakeAnswer } from '@sluice/core';
import { type Delivery, parseJsonExact } from './delivery.ts';

/**
 * The connector's answer to a verified delivery that is a handshake (Slack's `url_verification`), or null
 * to map it as usual. A body that is not JSON is no handshake; the map step refuses it.
 */
export function handshakeOf(
  connector: Connector,
  connection: Connection,
  delivery: Delivery,
  config: Readonly<Record<string, unknown>>,
): HandshakeAnswer | null {
  if (connector.handshake === null) return null;
  let body: unknown;
  try {
    body = parseJsonExact(delivery.rawBody.toString('utf8'));
  } catch {
    return null;
  }
  return connector.handshake({
    body,
    rawBody: delivery.rawBody,
    headers: delivery.headers,
    config,
    connectionId: connection.id,
    tenantId: connection.tenant_id,
  });
}
