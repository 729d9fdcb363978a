import { type Connection, type Connector, type Emission, SluiceError } from '@sluice/core';
import { cloudEventToEmission, decodeHttp } from '@sluice/core/codecs';
import { type MappingFailure, runMapping } from '@sluice/map';
import { carriesCloudEvents, type Delivery, parseJsonExact } from './delivery.ts';
import type { Refusal, RefusalCode } from './receive-outcome.ts';

/** What the map step made of one delivery. */
export type DeliveryEmissions =
  | { readonly ok: true; readonly emissions: ReadonlyArray<Emission> }
  /** The sender's mistake (a body that is not JSON, a malformed CloudEvent): refuse it. */
  | { readonly ok: false; readonly refusal: Refusal }
  /** Well-formed, but the mapping cannot handle it: keep it as a dead letter. */
  | { readonly ok: false; readonly failure: MappingFailure };

/**
 * The map step for one delivery: CloudEvents are converted directly, anything else goes through the
 * connector's mapping.
 */
export function emissionsOf(
  connector: Connector,
  connection: Connection,
  delivery: Delivery,
  config: Readonly<Record<string, unknown>> = connection.config,
): DeliveryEmissions {
  if (carriesCloudEvents(connector, delivery)) {
    const decoded = decodeHttp(delivery.headers, delivery.rawBody);
    if (!decoded.ok) {
      return {
        ok: false,
        refusal: { code: decoded.error.code as RefusalCode, message: decoded.error.message },
      };
    }
    try {
      return {
        ok: true,
        emissions: decoded.value.events.map((event) => cloudEventToEmission(event, { source: connector.id })),
      };
    } catch (error) {
      if (!(error instanceof SluiceError)) throw error;
      return { ok: false, failure: { stage: 'cloudevents', message: error.message, code: error.code } };
    }
  }
  let body: unknown;
  try {
    body = parseJsonExact(delivery.rawBody.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      refusal: { code: 'invalid_json', message: `The body is not valid JSON: ${(error as Error).message}.` },
    };
  }
  const mapped = runMapping(connector, {
    body,
    rawBody: delivery.rawBody,
    headers: delivery.headers,
    config,
    connectionId: connection.id,
    tenantId: connection.tenant_id,
  });
  return mapped.ok ? mapped : { ok: false, failure: mapped.error };
}
