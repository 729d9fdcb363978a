import { compile } from '@sluice/cesql';
import type { SqlCheck } from '@sluice/control';

/**
 * The CloudEvents SQL checker the trigger workflows are given: an expression is accepted when the CESQL
 * engine parses and compiles it; its error names the column.
 */
export const checkCesql: SqlCheck = (text) => {
  const compiled = compile(text);
  if (compiled.ok) return { ok: true };
  return { ok: false, message: compiled.error.message };
};
