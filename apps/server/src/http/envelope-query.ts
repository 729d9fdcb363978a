import { type Static, Type } from '@sinclair/typebox';
import type { EnvelopeFilter } from '@sluice/core';

/** Query-string filters shared by the envelope list and the live tail. */
export const EnvelopeFilterQuery = Type.Object({
  event_type: Type.Optional(Type.String({ minLength: 1, description: 'Type or glob: order.*, *.created' })),
  entity: Type.Optional(Type.String({ minLength: 1, description: 'An entity key kind:id' })),
  source: Type.Optional(Type.String({ minLength: 1 })),
  connection_id: Type.Optional(Type.String({ minLength: 1 })),
  stream: Type.Optional(Type.String({ minLength: 1 })),
  mode: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('quiet')])),
  since: Type.Optional(Type.String({ description: 'received_at >= since (ISO 8601)' })),
  until: Type.Optional(Type.String({ description: 'received_at < until (ISO 8601)' })),
});

export function filterOf(query: Static<typeof EnvelopeFilterQuery>): EnvelopeFilter {
  const filter: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === 'string' && key in EnvelopeFilterQuery.properties) filter[key] = value;
  }
  return filter as EnvelopeFilter;
}
