import { Value } from '@sinclair/typebox/value';
import type { ConnectorActionSpec } from '@sluice/core';

/** One way an action's input breaks its schema: a JSON pointer and what is wrong there. */
export interface InputProblem {
  readonly path: string;
  readonly message: string;
}

/** The result of checking an action's input: the input, or every problem (at most 20). */
export type InputCheck =
  | { readonly ok: true; readonly input: Record<string, unknown> }
  | { readonly ok: false; readonly problems: ReadonlyArray<InputProblem> };

const MAX_PROBLEMS = 20;

/** Checks an action's input against its TypeBox schema; nothing is coerced or defaulted. */
export function checkActionInput(action: ConnectorActionSpec, input: unknown): InputCheck {
  if (Value.Check(action.input, input)) return { ok: true, input: input as Record<string, unknown> };
  const problems: InputProblem[] = [];
  for (const error of Value.Errors(action.input, input)) {
    problems.push({ path: error.path === '' ? '/' : error.path, message: error.message });
    if (problems.length >= MAX_PROBLEMS) break;
  }
  return { ok: false, problems };
}
