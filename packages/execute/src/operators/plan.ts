import type { Emission } from '@sluice/core';

/** One side effect a plan asks for. */
export interface PlanAction {
  /** `http` (input: `{url, format?, headers?}`) or `connector:<connector>.<action>` (input: `{connection_id, input?}`). */
  readonly kind: string;
  /** `kind:id` of what the action is about, e.g. `order:1001`. */
  readonly entity_key: string;
  /** The key the side effect is made under: the same every time the plan is made for the same cause. */
  readonly idempotency_key: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** What an operator returns: the actions to run, and follow-up emissions to ingest once they have run. */
export interface Plan {
  readonly actions: ReadonlyArray<PlanAction>;
  /** Ingested on the triggering event's connection (or `emit_connection_id`), caused by that event. */
  readonly emit?: ReadonlyArray<Emission>;
  /** Another connection of the tenant to ingest `emit` on. */
  readonly emit_connection_id?: string;
}

/** One way a plan is malformed: where, and what is wrong. */
export interface PlanProblem {
  readonly path: string;
  readonly message: string;
}

/** The plan, or every problem of what the operator returned. */
export type PlanCheck =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly problems: ReadonlyArray<PlanProblem> };

/** The most actions one plan may hold. */
export const MAX_PLAN_ACTIONS = 100;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const PLAN_FIELDS = new Set(['actions', 'emit', 'emit_connection_id']);
const ACTION_FIELDS = new Set(['kind', 'entity_key', 'idempotency_key', 'input']);

/** Checks the shape of what an operator returned (emissions are checked by ingest). */
export function checkPlan(value: unknown): PlanCheck {
  if (!isRecord(value))
    return { ok: false, problems: [{ path: '', message: 'a plan is an object {actions, emit?}' }] };
  const problems: PlanProblem[] = [];
  for (const key of Object.keys(value)) {
    if (!PLAN_FIELDS.has(key)) problems.push({ path: `/${key}`, message: 'is not a plan field' });
  }
  const actions = value['actions'];
  if (!Array.isArray(actions)) {
    problems.push({ path: '/actions', message: 'must be an array' });
  } else {
    if (actions.length > MAX_PLAN_ACTIONS) {
      problems.push({
        path: '/actions',
        message: `holds ${actions.length} actions; at most ${MAX_PLAN_ACTIONS}`,
      });
    }
    for (const [index, action] of (actions as unknown[]).entries()) {
      problems.push(...checkAction(action, `/actions/${index}`));
    }
  }
  const emit = value['emit'];
  if (emit !== undefined && !(Array.isArray(emit) && emit.every(isRecord))) {
    problems.push({ path: '/emit', message: 'must be an array of emissions' });
  }
  const on = value['emit_connection_id'];
  if (on !== undefined && (typeof on !== 'string' || on === '')) {
    problems.push({ path: '/emit_connection_id', message: 'must be a connection id' });
  }
  return problems.length === 0 ? { ok: true, plan: value as unknown as Plan } : { ok: false, problems };
}

function checkAction(action: unknown, path: string): PlanProblem[] {
  if (!isRecord(action))
    return [{ path, message: 'an action is an object {kind, entity_key, idempotency_key, input}' }];
  const problems: PlanProblem[] = [];
  for (const key of Object.keys(action)) {
    if (!ACTION_FIELDS.has(key))
      problems.push({ path: `${path}/${key}`, message: 'is not a plan action field' });
  }
  for (const key of ['kind', 'entity_key', 'idempotency_key'] as const) {
    const field = action[key];
    if (typeof field !== 'string' || field.trim() === '') {
      problems.push({ path: `${path}/${key}`, message: 'must be a non-empty string' });
    } else if (field.length > 512) {
      problems.push({ path: `${path}/${key}`, message: 'is longer than 512 characters' });
    }
  }
  if (!isRecord(action['input'])) problems.push({ path: `${path}/input`, message: 'must be an object' });
  return problems;
}
