import type { Envelope } from '@sluice/core';
import type { CompiledTrigger } from './compile-trigger.ts';
import { matchesEventType } from './event-type-pattern.ts';
import type { RoutableTrigger } from './trigger.ts';

/** Orders triggers by id, the order the router returns them in. */
export const byTriggerId = (a: RoutableTrigger, b: RoutableTrigger): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * Brute force: checks every trigger against the envelope. The reference the index is tested against and
 * the baseline it is measured against; never use it to route.
 */
export function scanTriggers<T extends RoutableTrigger>(
  triggers: Iterable<CompiledTrigger<T>>,
  envelope: Envelope,
): T[] {
  const matched: T[] = [];
  if (envelope.mode === 'quiet') return matched;
  for (const { trigger, patterns, condition } of triggers) {
    if (!trigger.enabled || trigger.tenant_id !== envelope.tenant_id) continue;
    if (!patterns.some((pattern) => matchesEventType(pattern, envelope.event_type))) continue;
    if (condition === null || condition(envelope)) matched.push(trigger);
  }
  return matched.sort(byTriggerId);
}
