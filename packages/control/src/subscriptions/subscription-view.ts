import type { Condition, DeliveryFormat, Trigger } from '@sluice/core';
import { parseCondition, printCondition } from '@sluice/route';
import type { Subscription } from './subscription.ts';
import { conditionToFilters, type SubscriptionFilter } from './subscription-filters.ts';

/** The format of an http action that names none. */
export const DEFAULT_HTTP_FORMAT: DeliveryFormat = 'envelope';

/** A trigger with an http action as a subscription; null for other actions (not subscriptions). */
export function subscriptionOf(trigger: Trigger): Subscription | null {
  const { action } = trigger;
  if (action.type !== 'http') return null;
  const config: Record<string, string> = { name: trigger.name, enabled: String(trigger.enabled) };
  if (trigger.priority !== null) config['priority'] = trigger.priority;
  // Always shown, so that what GET shows can be PUT back unchanged (a subscription's default differs).
  config['format'] = action.format ?? DEFAULT_HTTP_FORMAT;
  let filters: SubscriptionFilter[] | undefined;
  if (trigger.condition !== null) {
    const ast = astOf(trigger.condition);
    const asFilters = ast === null ? null : conditionToFilters(ast);
    if (asFilters === null) {
      config['condition'] =
        typeof trigger.condition === 'string' ? trigger.condition : printCondition(trigger.condition);
    } else {
      filters = asFilters;
    }
  }
  return {
    id: trigger.id,
    protocol: 'HTTP',
    sink: action.url,
    types: trigger.event_types,
    ...(filters === undefined ? {} : { filters }),
    protocolsettings: {
      method: 'POST',
      ...(action.headers === undefined ? {} : { headers: action.headers }),
    },
    config,
  };
}

function astOf(condition: Condition | string): Condition | null {
  if (typeof condition !== 'string') return condition;
  const parsed = parseCondition(condition);
  return parsed.ok ? parsed.condition : null;
}
