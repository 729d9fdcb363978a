import type { TriggerAction } from '@sluice/core';
import type { ActionContext, ActionOutcome, ActionRunner } from '../action-runner.ts';
import { kindAllowed, type PlanPolicy } from './plan-policy.ts';

/** What a dry run records as the job's result in place of running a trigger's action. */
export interface DryRunResult {
  readonly dry_run: true;
  readonly kind: string | null;
  readonly idempotency_key: string;
  /** The action as it would have run (an http action's signing secret is never part of it). */
  readonly action: TriggerAction;
}

/**
 * A runner under the tenant's policy, at execution: an action whose kind the tenant does not allow is
 * refused (dead-lettered at once with `action_not_allowed`, not retried), and under a dry run it is
 * recorded as planned and nothing is sent. A handler's own runner makes and records its plan under a dry
 * run (an operator only decides), so only the kind check applies to it here. `kindOf` names the kind of a
 * context's action (`actionKind`); null leaves the check to the runner (an unknown connection).
 */
export class PolicedRunner<A extends TriggerAction> implements ActionRunner<A> {
  readonly type: A['type'];
  readonly #inner: ActionRunner<A>;
  readonly #policy: PlanPolicy;
  readonly #kindOf: (context: ActionContext<A>) => string | null | Promise<string | null>;

  constructor(
    inner: ActionRunner<A>,
    policy: PlanPolicy,
    kindOf: (context: ActionContext<A>) => string | null | Promise<string | null>,
  ) {
    this.type = inner.type;
    this.#inner = inner;
    this.#policy = policy;
    this.#kindOf = kindOf;
  }

  async run(context: ActionContext<A>): Promise<ActionOutcome> {
    const tenantId = context.trigger.tenant_id;
    const kind = await this.#kindOf(context);
    if (kind !== null) {
      const allowed = await this.#policy.allowedKinds(tenantId);
      if (!kindAllowed(kind, allowed)) {
        return {
          kind: 'refused',
          rule: 'action_not_allowed',
          error: `Tenant ${tenantId} does not allow ${JSON.stringify(kind)} actions (allowed: ${allowed.length === 0 ? 'none' : allowed.join(', ')}); change its allowed_actions with PATCH /api/v1/tenant.`,
        };
      }
    }
    if (this.type !== 'handler' && ((await this.#policy.dryRun?.(tenantId)) ?? false)) {
      const result: DryRunResult = {
        dry_run: true,
        kind,
        idempotency_key: context.idempotencyKey,
        action: context.trigger.action,
      };
      return { kind: 'delivered', status: 0, latency_ms: 0, dry_run: true, result };
    }
    return this.#inner.run(context);
  }
}
