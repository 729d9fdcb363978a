import {
  type Connection,
  type Connector,
  cloudEventToEmission,
  decodeHttp,
  type Emission,
  SluiceError,
} from '@sluice/core';
import { runMapping } from '@sluice/map';
import { carriesCloudEvents, type Delivery, parseJsonExact } from './delivery.ts';
import { MappingFault } from './mapping-fault.ts';

/**
 * The map step for one delivery: CloudEvents are converted directly, anything else goes through the
 * connector's mapping. A body that is not JSON is the sender's mistake (400); a mapping that cannot
 * handle a well-formed delivery raises a `MappingFault`, so the delivery is kept.
 */
export function emissionsOf(
  connector: Connector,
  connection: Connection,
  delivery: Delivery,
  config: Readonly<Record<string, unknown>> = connection.config,
): ReadonlyArray<Emission> {
  if (carriesCloudEvents(connector, delivery)) {
    const decoded = decodeHttp(delivery.headers, delivery.rawBody);
    if (!decoded.ok) throw decoded.error;
    try {
      return decoded.value.events.map((event) => cloudEventToEmission(event, { source: connector.id }));
    } catch (error) {
      if (error instanceof SluiceError)
        throw new MappingFault(error.message, { stage: 'cloudevents', code: error.code });
      throw error;
    }
  }
  let body: unknown;
  try {
    body = parseJsonExact(delivery.rawBody.toString('utf8'));
  } catch (error) {
    throw new SluiceError('invalid_json', `The body is not valid JSON: ${(error as Error).message}.`);
  }
  const mapped = runMapping(connector, {
    body,
    rawBody: delivery.rawBody,
    headers: delivery.headers,
    config,
    connectionId: connection.id,
    tenantId: connection.tenant_id,
  });
  if (!mapped.ok) {
    throw new MappingFault(mapped.error.message, {
      stage: 'map',
      ...(mapped.error.rule === undefined ? {} : { rule: mapped.error.rule }),
    });
  }
  return mapped.emissions;
}
