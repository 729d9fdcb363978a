import type { TriggerAction } from '@sluice/core';
import { OPERATOR_NAME_PATTERN } from './define-operator.ts';

/**
 * What a tenant's actions may do. `allowedKinds` lists the action kinds the tenant allows: exact kinds
 * (`http`, `connector:github.issue.comment`, `handler:order-risk`) or prefixes ending in `*`
 * (`connector:github.*`, `handler:*`, `*`). `dryRun` records what would run as the job's result and runs
 * nothing. It governs a trigger's own action (at create and at execution) and every action of an
 * operator's plan.
 */
export interface PlanPolicy {
  allowedKinds(tenantId: string): ReadonlyArray<string> | Promise<ReadonlyArray<string>>;
  dryRun?(tenantId: string): boolean | Promise<boolean>;
}

/** True when `kind` is among `allowed`, exactly or under a `*` prefix. */
export function kindAllowed(kind: string, allowed: ReadonlyArray<string>): boolean {
  return allowed.some((pattern) =>
    pattern.endsWith('*') ? kind.startsWith(pattern.slice(0, -1)) : kind === pattern,
  );
}

/**
 * The kind of a trigger's action, as a policy names it: `http`, `handler:<operator>`, or
 * `connector:<connector>.<action>` (the connector of the action's connection; null when it is not known,
 * e.g. the connection does not exist — its runner then refuses it on its own).
 */
export function actionKind(action: TriggerAction, connectorId: string | null): string | null {
  switch (action.type) {
    case 'http':
      return 'http';
    case 'handler':
      return `handler:${action.name}`;
    case 'connector':
      return connectorId === null ? null : `connector:${connectorId}.${action.action}`;
  }
}

/** One entry of an `allowed_actions` list that is not a kind pattern. */
export interface KindPatternProblem {
  /** `allowed_actions[2]`, or `allowed_actions` for the list itself. */
  readonly path: string;
  /** `allowed_actions_type`, `allowed_actions_size` or `action_kind_format`. */
  readonly rule: string;
  readonly message: string;
}

/** Most patterns in one tenant's list. */
export const MAX_KIND_PATTERNS = 100;

const CONNECTOR_PART = /^[a-z0-9][a-z0-9._-]{0,199}$/;

/** True for a pattern a policy can hold: see {@link PlanPolicy}. */
export function isKindPattern(pattern: string): boolean {
  if (pattern === '*' || pattern === 'http') return true;
  const [family, ...restParts] = pattern.split(':');
  const rest = restParts.join(':');
  const stem = rest.endsWith('*') ? rest.slice(0, -1) : rest;
  if (family === 'connector') return stem === '' ? rest === '*' : CONNECTOR_PART.test(stem);
  if (family === 'handler') return stem === '' ? rest === '*' : OPERATOR_NAME_PATTERN.test(stem);
  return false;
}

/** The kind patterns of an `allowed_actions` value, or every problem with it at once. */
export function checkKindPatterns(
  value: unknown,
): { ok: true; patterns: string[] } | { ok: false; problems: KindPatternProblem[] } {
  if (!Array.isArray(value)) {
    return {
      ok: false,
      problems: [
        {
          path: 'allowed_actions',
          rule: 'allowed_actions_type',
          message: 'allowed_actions must be an array of action kinds (or null for the server default)',
        },
      ],
    };
  }
  const problems: KindPatternProblem[] = [];
  if (value.length > MAX_KIND_PATTERNS) {
    problems.push({
      path: 'allowed_actions',
      rule: 'allowed_actions_size',
      message: `allowed_actions holds at most ${MAX_KIND_PATTERNS} kinds, not ${value.length}`,
    });
  }
  value.forEach((pattern, index) => {
    if (typeof pattern === 'string' && isKindPattern(pattern)) return;
    problems.push({
      path: `allowed_actions[${index}]`,
      rule: 'action_kind_format',
      message: `${JSON.stringify(pattern)} is not an action kind: use "http", "connector:<connector>.<action>", "handler:<operator>", or a prefix of one ending in "*" ("connector:*", "*")`,
    });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, patterns: value as string[] };
}
