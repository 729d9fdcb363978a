import { BUILTIN_FUNCTIONS, type FunctionDefinition } from './builtin-functions.ts';

/** Function overloads by upper-case name, ready for dispatch on arity. */
export interface FunctionTable {
  readonly byName: ReadonlyMap<string, FunctionOverloads>;
}

interface FunctionOverloads {
  readonly fixed: ReadonlyMap<number, FunctionDefinition>;
  readonly variadic: FunctionDefinition | undefined;
}

/** The outcome of {@link defineFunctions}. */
export type FunctionTableResult = { ok: true; table: FunctionTable } | { ok: false; problems: string[] };

const FUNCTION_NAME = /^[A-Za-z][A-Za-z_]*$/;

/**
 * Builds a function table of the built-ins plus `extra` user functions, checking the overloading rules of
 * spec 3.5: one overload per name and arity, and at most one variadic overload, whose fixed parameters
 * outnumber every other overload's.
 */
export function defineFunctions(extra: readonly FunctionDefinition[] = []): FunctionTableResult {
  const problems: string[] = [];
  const grouped = new Map<
    string,
    { fixed: Map<number, FunctionDefinition>; variadic?: FunctionDefinition }
  >();
  for (const definition of [...BUILTIN_FUNCTIONS, ...extra]) {
    if (!FUNCTION_NAME.test(definition.name)) {
      problems.push(`${JSON.stringify(definition.name)} is not a function name (letters and '_')`);
      continue;
    }
    const name = definition.name.toUpperCase();
    const group = grouped.get(name) ?? { fixed: new Map<number, FunctionDefinition>() };
    grouped.set(name, group);
    if (definition.variadic !== undefined) {
      if (group.variadic !== undefined) problems.push(`${name} has more than one variadic overload`);
      else group.variadic = definition;
    } else if (group.fixed.has(definition.parameters.length)) {
      problems.push(`${name} has two overloads of arity ${definition.parameters.length}`);
    } else {
      group.fixed.set(definition.parameters.length, definition);
    }
  }
  const byName = new Map<string, FunctionOverloads>();
  for (const [name, group] of grouped) {
    const variadic = group.variadic;
    if (variadic !== undefined) {
      const widest = Math.max(-1, ...group.fixed.keys());
      if (variadic.parameters.length <= widest) {
        problems.push(
          `${name}: a variadic overload needs more than ${widest} fixed parameters to be told apart from the others`,
        );
      }
    }
    byName.set(name, { fixed: group.fixed, variadic });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, table: { byName } };
}

/** The overload of `name` (upper-case) that takes `arity` arguments, if any. */
export function resolveFunction(
  table: FunctionTable,
  name: string,
  arity: number,
): FunctionDefinition | undefined {
  const overloads = table.byName.get(name);
  if (overloads === undefined) return undefined;
  const fixed = overloads.fixed.get(arity);
  if (fixed !== undefined) return fixed;
  const variadic = overloads.variadic;
  return variadic !== undefined && arity >= variadic.parameters.length ? variadic : undefined;
}

const builtins = defineFunctions();
if (!builtins.ok)
  throw new Error(`built-in CESQL functions are inconsistent: ${builtins.problems.join('; ')}`);

/** The built-in functions alone. */
export const BUILTIN_TABLE: FunctionTable = builtins.table;
