import type { EntityRef } from './envelope.ts';

/** `payload.entity` when it is a well-formed `{ kind, id }` of non-empty strings, else null. */
export function entityOf(payload: Readonly<Record<string, unknown>>): EntityRef | null {
  const entity = payload['entity'];
  if (typeof entity !== 'object' || entity === null) return null;
  const { kind, id } = entity as Record<string, unknown>;
  if (typeof kind !== 'string' || kind === '' || typeof id !== 'string' || id === '') return null;
  return { kind, id };
}

/**
 * `${kind}:${id}` of `payload.entity`, the key single-flight serializes on;
 * null when the payload names no entity (accepted, but counted and warned).
 */
export function entityKey(payload: Readonly<Record<string, unknown>>): string | null {
  const entity = entityOf(payload);
  return entity === null ? null : `${entity.kind}:${entity.id}`;
}
