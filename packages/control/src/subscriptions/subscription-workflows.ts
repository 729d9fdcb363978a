import { isSluiceError, SluiceError, type Trigger } from '@sluice/core';
import type { SqlCheck } from '../triggers/trigger-body.ts';
import { invalid, type TriggerFieldProblem } from '../triggers/trigger-problem.ts';
import type { TriggerWorkflows } from '../triggers/trigger-workflows.ts';
import type { Subscription } from './subscription.ts';
import { parseSubscriptionBody } from './subscription-body.ts';
import { subscriptionOf } from './subscription-view.ts';

/** Where a trigger field sits in a subscription body, longest prefix first. */
const PATHS: ReadonlyArray<readonly [string, string]> = [
  ['action.headers', 'protocolsettings.headers'],
  ['action.url', 'sink'],
  ['action.secret', 'config.secret'],
  ['action.format', 'config.format'],
  ['action', 'sink'],
  ['event_types', 'types'],
  ['name', 'config.name'],
  ['priority', 'config.priority'],
  ['enabled', 'config.enabled'],
];

/**
 * The CloudEvents Subscriptions API over triggers: a subscription is a trigger with an http action, so
 * one made here is listed at /triggers and the reverse. What a subscription cannot say (another
 * protocol, a sink credential) is refused as `422 subscription_invalid`, naming the field and the rule.
 */
export class SubscriptionWorkflows {
  readonly #triggers: TriggerWorkflows;
  readonly #sql: SqlCheck | undefined;

  constructor(triggers: TriggerWorkflows, sql?: SqlCheck) {
    this.#triggers = triggers;
    this.#sql = sql;
  }

  /** The new subscription; `config.secret` holds its signing secret when it was generated (shown once). */
  async create(tenantId: string, body: unknown): Promise<Subscription> {
    const triggerBody = this.#toTrigger(body, undefined);
    const draft = await this.#translated(body, () => this.#triggers.check(tenantId, triggerBody));
    const { trigger, secret } = await this.#triggers.createChecked(tenantId, draft);
    const subscription = view(trigger);
    return secret === undefined
      ? subscription
      : { ...subscription, config: { ...subscription.config, secret } };
  }

  async get(tenantId: string, id: string): Promise<Subscription> {
    return view(await this.#trigger(tenantId, id));
  }

  /** Every trigger of the tenant with an http action, in creation order. */
  async list(tenantId: string): Promise<Subscription[]> {
    const subscriptions: Subscription[] = [];
    let after: string | undefined;
    do {
      const page = await this.#triggers.list(
        tenantId,
        {},
        { limit: 500, ...(after === undefined ? {} : { after }) },
      );
      for (const trigger of page.items) {
        const subscription = subscriptionOf(trigger);
        if (subscription !== null) subscriptions.push(subscription);
      }
      after = page.next ?? undefined;
    } while (after !== undefined);
    return subscriptions;
  }

  /** Replaces the subscription whole (PUT); a signing secret not given is kept. */
  async replace(tenantId: string, id: string, body: unknown): Promise<Subscription> {
    const current = await this.#trigger(tenantId, id);
    const triggerBody = this.#toTrigger(body, id);
    const draft = await this.#translated(body, () => this.#triggers.check(tenantId, triggerBody));
    const { trigger } = await this.#triggers.updateChecked(current, draft);
    return view(trigger);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.#trigger(tenantId, id);
    await this.#triggers.delete(tenantId, id);
  }

  async #trigger(tenantId: string, id: string): Promise<Trigger> {
    try {
      const trigger = await this.#triggers.get(tenantId, id);
      if (trigger.action.type === 'http') return trigger;
    } catch (error) {
      if (!isSluiceError(error) || error.code !== 'trigger_not_found') throw error;
    }
    throw new SluiceError('subscription_not_found', `Subscription "${id}" does not exist.`);
  }

  #toTrigger(body: unknown, id: string | undefined): Readonly<Record<string, unknown>> {
    const parsed = parseSubscriptionBody(body, { ...(id === undefined ? {} : { id }), sql: this.#sql });
    if (!parsed.ok) throw invalid('subscription_invalid', parsed.problems);
    return parsed.trigger;
  }

  /** Runs a trigger check, naming its problems by the subscription's own fields. */
  async #translated<T>(body: unknown, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!isSluiceError(error) || error.code !== 'trigger_invalid') throw error;
      const { problems } = error.details as { problems: ReadonlyArray<TriggerFieldProblem> };
      const conditionAt =
        typeof body === 'object' && body !== null && 'filters' in body ? 'filters' : 'config.condition';
      throw invalid(
        'subscription_invalid',
        problems.map((p) => renamed(p, conditionAt)),
      );
    }
  }
}

function view(trigger: Trigger): Subscription {
  const subscription = subscriptionOf(trigger);
  if (subscription === null)
    throw new SluiceError('subscription_not_found', `Subscription "${trigger.id}" does not exist.`);
  return subscription;
}

function renamed(problem: TriggerFieldProblem, conditionAt: string): TriggerFieldProblem {
  const { path } = problem;
  const table: ReadonlyArray<readonly [string, string]> = [...PATHS, ['condition', conditionAt]];
  for (const [from, to] of table) {
    if (path === from || path.startsWith(`${from}.`) || path.startsWith(`${from}[`)) {
      const next = to + path.slice(from.length);
      return { ...problem, path: next, message: next + problem.message.slice(path.length) };
    }
  }
  return problem;
}
