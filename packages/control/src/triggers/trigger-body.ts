import {
  type Condition,
  checkIdempotencyTemplate,
  PRIORITIES,
  type Priority,
  type RetryPolicy,
  SINGLE_FLIGHT_MODES,
  type SingleFlightMode,
  type Trigger,
  type TriggerCondition,
} from '@sluice/core';
import { validateRetry } from '@sluice/execute';
import { compileTrigger, parseCondition, type SqlHook } from '@sluice/route';
import { type ParsedAction, parseAction } from './trigger-action.ts';
import { fieldProblem, shown, type TriggerFieldProblem } from './trigger-problem.ts';

/**
 * Checks a CloudEvents SQL expression without running it; injected, so control holds no engine of its
 * own. Without one, `{sql}` conditions are refused as `sql_unavailable`.
 */
export type SqlCheck = (
  text: string,
) => { readonly ok: true } | { readonly ok: false; readonly message: string };

/** The checked fields of a trigger body; an absent field was not given. */
export interface TriggerDraft {
  readonly name?: string;
  readonly event_types?: ReadonlyArray<string>;
  /** As its author wrote it: the AST, the text form or `{sql}`. Null clears it. */
  readonly condition?: TriggerCondition | null;
  readonly priority?: Priority | null;
  readonly action?: ParsedAction;
  readonly enabled?: boolean;
  readonly single_flight?: SingleFlightMode;
  /** Null: the executor's defaults. Stored whole, every field filled in. */
  readonly retry?: RetryPolicy | null;
  /** Null: `{trigger_id}:{event_id}`. */
  readonly idempotency_key?: string | null;
}

export type DraftResult =
  | { readonly ok: true; readonly draft: TriggerDraft }
  | { readonly ok: false; readonly problems: ReadonlyArray<TriggerFieldProblem> };

export interface ParseTriggerOptions {
  /** `create` needs name, event_types and action; `update` needs at least one field. */
  readonly mode: 'create' | 'update';
  readonly sql?: SqlCheck | undefined;
  /** The stored trigger an update applies to: its patterns are checked with a new condition. */
  readonly current?: Pick<Trigger, 'event_types'>;
}

const FIELDS = [
  'name',
  'event_types',
  'condition',
  'priority',
  'action',
  'enabled',
  'single_flight',
  'retry',
  'idempotency_key',
] as const;
const REQUIRED = ['name', 'event_types', 'action'] as const;
/** Characters of a trigger's name. */
export const MAX_NAME = 200;

/**
 * Checks a create or update body, reporting every broken rule at once: the fields, the patterns and the
 * condition (its text form parsed, its SQL checked), the action. Never throws.
 */
export function parseTriggerBody(body: unknown, options: ParseTriggerOptions): DraftResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      problems: [fieldProblem('', 'body_type', `a trigger is a JSON object, got ${shown(body)}`)],
    };
  }
  const input = body as Record<string, unknown>;
  const problems: TriggerFieldProblem[] = [];
  for (const key of Object.keys(input)) {
    if (!(FIELDS as ReadonlyArray<string>).includes(key)) {
      problems.push(fieldProblem(key, 'field_unknown', `a trigger has only ${FIELDS.join(', ')}`));
    }
  }
  if (options.mode === 'create') {
    for (const key of REQUIRED) {
      if (input[key] === undefined) problems.push(fieldProblem(key, 'field_missing', `${key} is required`));
    }
  } else if (!FIELDS.some((key) => input[key] !== undefined)) {
    problems.push(
      fieldProblem('', 'changes_empty', `an update changes at least one of ${FIELDS.join(', ')}`),
    );
  }
  const draft: {
    -readonly [K in keyof TriggerDraft]: TriggerDraft[K];
  } = {};

  const name = input['name'];
  if (name !== undefined) {
    if (typeof name === 'string' && name.trim() !== '' && name.length <= MAX_NAME) draft.name = name;
    else
      problems.push(
        fieldProblem('name', 'name_format', `name is 1 to ${MAX_NAME} characters, got ${shown(name)}`),
      );
  }
  const enabled = input['enabled'];
  if (enabled !== undefined) {
    if (typeof enabled === 'boolean') draft.enabled = enabled;
    else
      problems.push(
        fieldProblem('enabled', 'enabled_type', `enabled is true or false, got ${shown(enabled)}`),
      );
  }
  const priority = input['priority'];
  if (priority !== undefined) {
    if (priority === null || (PRIORITIES as ReadonlyArray<unknown>).includes(priority)) {
      draft.priority = priority as Priority | null;
    } else {
      problems.push(
        fieldProblem(
          'priority',
          'priority_unknown',
          `priority is one of ${PRIORITIES.join(', ')} or null (the default for the event's origin), got ${shown(priority)}`,
        ),
      );
    }
  }
  problems.push(...checkRunPolicy(input, draft));
  const action = input['action'];
  if (action !== undefined) {
    const parsed = parseAction(action);
    if (parsed.ok) draft.action = parsed.parsed;
    else problems.push(...parsed.problems);
  }
  problems.push(...checkPatternsAndCondition(input, options, draft));
  return problems.length === 0 ? { ok: true, draft } : { ok: false, problems };
}

/** `single_flight`, `retry` (through the executor's own `validateRetry`) and the idempotency-key template. */
function checkRunPolicy(
  input: Record<string, unknown>,
  draft: {
    single_flight?: SingleFlightMode;
    retry?: RetryPolicy | null;
    idempotency_key?: string | null;
  },
): TriggerFieldProblem[] {
  const problems: TriggerFieldProblem[] = [];
  const mode = input['single_flight'];
  if (mode !== undefined) {
    if ((SINGLE_FLIGHT_MODES as ReadonlyArray<unknown>).includes(mode))
      draft.single_flight = mode as SingleFlightMode;
    else
      problems.push(
        fieldProblem(
          'single_flight',
          'single_flight_unknown',
          `single_flight is one of ${SINGLE_FLIGHT_MODES.join(', ')}, got ${shown(mode)}`,
        ),
      );
  }
  const retry = input['retry'];
  if (retry !== undefined) {
    const checked = validateRetry(retry, 'retry');
    if (!checked.ok) problems.push(...checked.problems);
    else draft.retry = retry === null ? null : checked.value;
  }
  const key = input['idempotency_key'];
  if (key !== undefined) {
    if (key === null) draft.idempotency_key = null;
    else if (typeof key !== 'string') {
      problems.push(
        fieldProblem(
          'idempotency_key',
          'idempotency_key_format',
          `idempotency_key is a text template or null, got ${shown(key)}`,
        ),
      );
    } else {
      const found = checkIdempotencyTemplate(key);
      if (found.length === 0) draft.idempotency_key = key;
      for (const text of found)
        problems.push(fieldProblem('idempotency_key', 'idempotency_key_format', text));
    }
  }
  return problems;
}

/** Patterns and condition through the router's own compiler, so what is accepted here is what it runs. */
function checkPatternsAndCondition(
  input: Record<string, unknown>,
  options: ParseTriggerOptions,
  draft: { event_types?: ReadonlyArray<string>; condition?: TriggerCondition | null },
): TriggerFieldProblem[] {
  const problems: TriggerFieldProblem[] = [];
  const types = input['event_types'];
  const condition = input['condition'];
  if (types === undefined && condition === undefined) return problems;
  let ast: unknown = null;
  if (typeof condition === 'string') {
    const parsed = parseCondition(condition);
    if (parsed.ok) ast = parsed.condition;
    else {
      problems.push({
        ...fieldProblem('condition', 'condition_syntax', parsed.error.message),
        column: parsed.error.column,
      });
    }
  } else if (condition !== undefined) {
    ast = condition;
  }
  const compiled = compileTrigger(
    {
      id: 'trg_check',
      tenant_id: 'check',
      // Null is checked as given (and refused): only an absent field falls back.
      event_types: (types === undefined
        ? (options.current?.event_types ?? ['*'])
        : types) as ReadonlyArray<string>,
      condition: ast as Condition | null,
      enabled: true,
    },
    { sql: sqlHook(options.sql) },
  );
  if (!compiled.ok) problems.push(...compiled.problems);
  if (problems.length === 0) {
    if (types !== undefined) draft.event_types = types as ReadonlyArray<string>;
    if (condition !== undefined) draft.condition = condition as TriggerCondition | null;
  }
  return problems;
}

/** The checker as the hook the router's compiler takes; nothing here evaluates. */
function sqlHook(check: SqlCheck | undefined): SqlHook | undefined {
  if (check === undefined) return undefined;
  return (text) => {
    const checked = check(text);
    return checked.ok
      ? { ok: true, matches: () => false }
      : { ok: false, problem: { message: checked.message } };
  };
}
