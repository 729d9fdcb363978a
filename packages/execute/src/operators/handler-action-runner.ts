import type { ConnectorAction, Envelope, HandlerAction, HttpAction } from '@sluice/core';
import type { ActionContext, ActionOutcome, ActionRunner } from '../action-runner.ts';
import type { ConnectorRunExpectations } from '../connector-action-runner.ts';
import { causeOf, type EmitFollowUps, type EmitOutcome, stampFollowUps } from './follow-ups.ts';
import type { OperatorRegistry } from './operator-registry.ts';
import { checkPlan, type Plan, type PlanAction } from './plan.ts';
import { kindAllowed, type PlanPolicy } from './plan-policy.ts';

/** The runners plan actions go through; a kind whose runner is absent cannot run. */
export interface PlanRunners {
  readonly http?: ActionRunner<HttpAction>;
  readonly connector?: {
    run(context: ActionContext<ConnectorAction>, expect?: ConnectorRunExpectations): Promise<ActionOutcome>;
  };
}

/** What the handler runner is built from. */
export interface HandlerActionRunnerOptions {
  readonly operators: OperatorRegistry;
  readonly policy: PlanPolicy;
  readonly runners: PlanRunners;
  readonly emit: EmitFollowUps;
  /** The connector ids the process serves, to read `connector:<connector>.<action>` kinds. */
  readonly connectorIds: () => Iterable<string>;
}

/** How each plan action came out. */
export interface PlanActionRecord {
  readonly kind: string;
  readonly entity_key: string;
  readonly idempotency_key: string;
  /** `planned`: a dry run; `refused`: the tenant's policy does not allow the kind. */
  readonly status: 'delivered' | 'refused' | 'planned';
  readonly reason?: string;
  readonly outcome?: ActionOutcome;
}

/** A handler run's `result`: the plan and what became of it. */
export interface HandlerResult {
  readonly operator: string;
  readonly dry_run: boolean;
  readonly plan: Plan;
  readonly actions: ReadonlyArray<PlanActionRecord>;
  readonly emitted: EmitOutcome | null;
}

/**
 * Runs `{type: 'handler', name}`: the operator makes a plan from the envelope, and the plan runs under the
 * tenant's policy. Disallowed kinds are refused and recorded; a dry run records the plan and runs nothing;
 * each allowed action runs through its kind's runner under its own idempotency key, in order, the first
 * that does not succeed deciding the job's outcome (the whole plan is retried: every action is keyed);
 * then the follow-up emissions are ingested, caused by the triggering event. The result is the plan and
 * each action's outcome.
 */
export class HandlerActionRunner implements ActionRunner<HandlerAction> {
  readonly type = 'handler' as const;
  readonly #options: HandlerActionRunnerOptions;

  constructor(options: HandlerActionRunnerOptions) {
    this.#options = options;
  }

  async run(context: ActionContext<HandlerAction>): Promise<ActionOutcome> {
    const { operators, policy } = this.#options;
    const { name } = context.trigger.action;
    const tenantId = context.trigger.tenant_id;
    const operator = operators.get(name);
    if (operator === null) {
      const known = operators.names();
      return notRun(
        `No operator ${JSON.stringify(name)} is registered; this process runs ${known.length === 0 ? 'none' : known.join(', ')}.`,
      );
    }
    let returned: unknown;
    try {
      returned = await operator.run(context.envelope, {
        tenantId,
        trigger: context.trigger,
        idempotencyKey: context.idempotencyKey,
        attempt: context.attempt,
        signal: context.signal,
      });
    } catch (error) {
      return {
        kind: 'failed',
        status: 0,
        error: `operator ${name} threw: ${(error as Error)?.message ?? String(error)}`,
      };
    }
    const checked = checkPlan(returned);
    if (!checked.ok) {
      const problems = checked.problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ');
      return { kind: 'failed', status: 0, error: `operator ${name} returned an invalid plan: ${problems}` };
    }
    const plan = checked.plan;
    const allowed = await policy.allowedKinds(tenantId);
    const dryRun = (await policy.dryRun?.(tenantId)) ?? false;
    const records: PlanActionRecord[] = [];
    let latency = 0;
    for (const action of plan.actions) {
      const base = {
        kind: action.kind,
        entity_key: action.entity_key,
        idempotency_key: action.idempotency_key,
      };
      if (!kindAllowed(action.kind, allowed)) {
        records.push({
          ...base,
          status: 'refused',
          reason: `tenant ${tenantId} does not allow ${JSON.stringify(action.kind)} actions`,
        });
      } else if (dryRun) {
        records.push({ ...base, status: 'planned' });
      } else {
        const outcome = await this.#runAction(action, context);
        if (outcome.kind !== 'delivered') return failedAt(outcome, name, records.length, action);
        latency += outcome.latency_ms;
        records.push({ ...base, status: 'delivered', outcome });
      }
    }
    let emitted: EmitOutcome | null = null;
    if (!dryRun && plan.emit !== undefined && plan.emit.length > 0) {
      emitted = await this.#emit(plan, context.envelope, tenantId, name);
      if (emitted.status === 'rejected') {
        return {
          kind: 'failed',
          status: 0,
          error: `operator ${name}'s follow-up emissions were rejected: ${emitted.error}`,
        };
      }
    }
    const result: HandlerResult = { operator: name, dry_run: dryRun, plan, actions: records, emitted };
    return {
      kind: 'delivered',
      status: 200,
      latency_ms: latency,
      result,
      ...(dryRun ? { dry_run: true } : {}),
    };
  }

  #emit(plan: Plan, envelope: Envelope, tenantId: string, name: string): Promise<EmitOutcome> {
    const cause = causeOf(envelope);
    const target = { tenant_id: tenantId, connection_id: plan.emit_connection_id ?? envelope.connection_id };
    return this.#options.emit(target, stampFollowUps(plan.emit ?? [], cause, name), cause);
  }

  #runAction(action: PlanAction, context: ActionContext<HandlerAction>): Promise<ActionOutcome> {
    const { runners } = this.#options;
    const sub = <A extends HttpAction | ConnectorAction>(subAction: A): ActionContext<A> => ({
      ...context,
      trigger: { ...context.trigger, action: subAction },
      idempotencyKey: action.idempotency_key,
    });
    if (action.kind === 'http') {
      if (runners.http === undefined) return Promise.resolve(notRun('This process runs no http actions.'));
      return runners.http.run(sub({ ...(action.input as Omit<HttpAction, 'type'>), type: 'http' }));
    }
    const parsed = this.#connectorKind(action.kind);
    if (parsed === null) {
      return Promise.resolve(
        notRun(
          `Plan action kind ${JSON.stringify(action.kind)} is neither "http" nor "connector:<connector>.<action>" of a served connector.`,
        ),
      );
    }
    if (runners.connector === undefined)
      return Promise.resolve(notRun('This process runs no connector actions.'));
    const input = action.input as { connection_id?: unknown; input?: unknown };
    if (typeof input.connection_id !== 'string') {
      return Promise.resolve(notRun(`Plan action ${action.kind} needs input {connection_id, input?}.`));
    }
    const connectorAction: ConnectorAction = {
      type: 'connector',
      connection_id: input.connection_id,
      action: parsed.action,
      ...(input.input === undefined ? {} : { input: input.input as Record<string, unknown> }),
    };
    return runners.connector.run(sub(connectorAction), { connectorId: parsed.connector });
  }

  /** `connector:<connector>.<action>`, the longest served connector id first (ids may hold dots). */
  #connectorKind(kind: string): { connector: string; action: string } | null {
    if (!kind.startsWith('connector:')) return null;
    const rest = kind.slice('connector:'.length);
    const ids = [...this.#options.connectorIds()].sort((a, b) => b.length - a.length);
    const connector = ids.find((id) => rest.startsWith(`${id}.`) && rest.length > id.length + 1);
    return connector === undefined ? null : { connector, action: rest.slice(connector.length + 1) };
  }
}

const notRun = (error: string): ActionOutcome => ({ kind: 'refused', rule: 'request_invalid', error });

/** The outcome of the plan action that did not succeed, its error naming the action. */
function failedAt(outcome: ActionOutcome, name: string, index: number, action: PlanAction): ActionOutcome {
  if (outcome.kind === 'delivered') return outcome;
  const where = `operator ${name} plan action ${index} (${action.kind}, ${action.idempotency_key})`;
  // A plan action's 410 disables nothing: the trigger runs a handler, not that endpoint.
  if (outcome.kind === 'gone') return { kind: 'failed', status: 410, error: `${where}: HTTP 410 Gone` };
  return { ...outcome, error: `${where}: ${outcome.error}` };
}
