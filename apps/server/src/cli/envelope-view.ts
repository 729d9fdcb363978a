import type { Envelope } from '@sluice/core';

/** The entity key (`kind:id`) an envelope's payload names, or `-`. */
export function entityOf(envelope: Pick<Envelope, 'payload'>): string {
  const entity = envelope.payload['entity'] as { kind?: unknown; id?: unknown } | undefined;
  return typeof entity?.kind === 'string' && (typeof entity.id === 'string' || typeof entity.id === 'number')
    ? `${entity.kind}:${entity.id}`
    : '-';
}

/** `HH:MM:SS` of an ISO time, for one-line views. */
export const clock = (iso: string): string => iso.slice(11, 19);
