import type { Envelope } from '@sluice/core';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\}/g;

/**
 * Renders a trigger's idempotency-key template for one event: `{trigger_id}`, `{entity_key}` and any
 * dotted path into the envelope (`{event_id}`, `{correlation_id}`, `{payload.order.id}`) are replaced by
 * their value; a missing or non-scalar value renders as empty. Without a template the key is
 * `{trigger_id}:{event_id}`, the store's default, so the job is left without one.
 */
export function renderIdempotencyKey(
  template: string | null | undefined,
  context: { readonly trigger_id: string; readonly entity_key: string | null; readonly envelope: Envelope },
): string | undefined {
  if (template === null || template === undefined || template === '') return undefined;
  return template.replace(PLACEHOLDER, (_, path: string) => {
    if (path === 'trigger_id') return context.trigger_id;
    if (path === 'entity_key') return context.entity_key ?? '';
    let value: unknown = context.envelope;
    for (const segment of path.split('.')) {
      value =
        typeof value === 'object' && value !== null && Object.hasOwn(value, segment)
          ? (value as Record<string, unknown>)[segment]
          : undefined;
    }
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
  });
}
