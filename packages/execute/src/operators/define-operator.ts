import type { Envelope, Trigger } from '@sluice/core';
import { SluiceError } from '@sluice/core';
import type { Plan } from './plan.ts';

/** What an operator is given beside the envelope. */
export interface OperatorContext {
  readonly tenantId: string;
  /** The trigger whose `handler` action named the operator. */
  readonly trigger: Trigger;
  /** The job's idempotency key: a base for the plan actions' own keys. */
  readonly idempotencyKey: string;
  /** From 1: the same plan should come out of every attempt. */
  readonly attempt: number;
  readonly signal: AbortSignal;
}

/** What an operator author writes. */
export interface OperatorSpec {
  /** A letter, then letters, digits, `_`, `.`, `:`, `-` (e.g. `order-risk`); what a trigger's `handler.name` names. */
  readonly name: string;
  readonly description?: string;
  /** Decides, without side effects, what should happen about one envelope. */
  run(envelope: Envelope, ctx: OperatorContext): Plan | Promise<Plan>;
}

/** A validated operator. */
export interface Operator extends OperatorSpec {
  readonly description: string;
}

/** Operator names, as a trigger's `handler.name` may spell them; `operator:<name>` is its emissions' `agent_id`. */
export const OPERATOR_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Validates an operator and returns it frozen.
 * @throws SluiceError `operator_definition_invalid` naming every broken rule (`details.problems`, each
 *   `{rule, message}`: `operator_name_format`, `operator_run_type`).
 */
export function defineOperator(spec: OperatorSpec): Operator {
  const name = typeof spec?.name === 'string' ? spec.name : String(spec?.name);
  const problems: Array<{ rule: string; message: string }> = [];
  if (!OPERATOR_NAME_PATTERN.test(name)) {
    problems.push({
      rule: 'operator_name_format',
      message: `operator ${JSON.stringify(name)}: names start with a letter, then letters, digits, '_', '.', ':' and '-', at most 128 (e.g. "order-risk")`,
    });
  }
  if (typeof spec?.run !== 'function') {
    problems.push({
      rule: 'operator_run_type',
      message: `operator ${JSON.stringify(name)}: run must be a function (envelope, ctx) => Plan`,
    });
  }
  if (problems.length > 0) {
    throw new SluiceError('operator_definition_invalid', problems.map((p) => p.message).join('; '), {
      details: { operator: name, rule: problems[0]?.rule, problems },
    });
  }
  return Object.freeze({ ...spec, name, description: spec.description ?? '' });
}
