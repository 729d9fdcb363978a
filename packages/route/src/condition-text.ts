import { CONDITION_OPS, type Condition, type ConditionScalar } from '@sluice/core';
import { validateCondition } from './condition-ast.ts';
import { lexCondition, type Token } from './condition-lexer.ts';
import { CONDITION_LIMITS } from './condition-problem.ts';

/** The parsed condition, or the first error with the 1-based column it was found at. */
export type ConditionTextResult =
  | { readonly ok: true; readonly condition: Condition }
  | { readonly ok: false; readonly error: { readonly column: number; readonly message: string } };

const OPS: ReadonlySet<string> = new Set(CONDITION_OPS);
const OP_LIST = CONDITION_OPS.join(', ');
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'sql', 'true', 'false', 'null', ...OPS]);
/** Parentheses and `not`s nested in the text; the condition's own depth is checked after parsing. */
const MAX_NESTING = 2 * CONDITION_LIMITS.maxDepth;

interface Parser {
  readonly tokens: ReadonlyArray<Token>;
  at: number;
  error: { column: number; message: string } | null;
}

const peek = (p: Parser): Token =>
  p.tokens[Math.min(p.at, p.tokens.length - 1)] ?? { kind: 'end', text: '', column: 1 };
const isWord = (token: Token, word: string): boolean => token.kind === 'word' && token.text === word;
const shown = (token: Token): string =>
  token.kind === 'end'
    ? 'the end'
    : JSON.stringify(token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text);

function fail(p: Parser, token: Token, text: string): null {
  p.error ??= { column: token.column, message: `column ${token.column}: ${text}` };
  return null;
}

const error = (column: number, text: string): ConditionTextResult => ({
  ok: false,
  error: { column, message: `column ${column}: ${text}` },
});

/**
 * Parses the text form, e.g. `payload.total gt 100 and payload.status in ["paid","shipped"]`.
 * `not` binds tighter than `and`, `and` tighter than `or`; parentheses group. Never throws.
 */
export function parseCondition(text: string): ConditionTextResult {
  if (typeof text !== 'string') return error(1, `a condition is text, got ${typeof text}`);
  if (text.length > CONDITION_LIMITS.maxText) {
    return error(1, `a condition is at most ${CONDITION_LIMITS.maxText} characters, got ${text.length}`);
  }
  const lexed = lexCondition(text);
  if (!lexed.ok) return { ok: false, error: { column: lexed.column, message: lexed.message } };
  const p: Parser = { tokens: lexed.tokens, at: 0, error: null };
  const condition = parseOr(p, 0);
  if (condition !== null && peek(p).kind !== 'end')
    fail(p, peek(p), `expected and, or or the end, got ${shown(peek(p))}`);
  if (p.error !== null || condition === null)
    return { ok: false, error: p.error ?? { column: 1, message: 'column 1: empty' } };
  const checked = validateCondition(condition, { sql: true });
  if (!checked.ok) return error(1, checked.problems[0]?.message ?? 'invalid condition');
  return { ok: true, condition };
}

function parseList(p: Parser, depth: number, word: 'and' | 'or'): Condition | null {
  const first = word === 'or' ? parseList(p, depth, 'and') : parseUnary(p, depth);
  if (first === null) return null;
  const items = [first];
  while (isWord(peek(p), word)) {
    p.at++;
    const next = word === 'or' ? parseList(p, depth, 'and') : parseUnary(p, depth);
    if (next === null) return null;
    items.push(next);
  }
  if (items.length === 1) return first;
  return word === 'and' ? { all: items } : { any: items };
}

const parseOr = (p: Parser, depth: number): Condition | null => parseList(p, depth, 'or');

function parseUnary(p: Parser, depth: number): Condition | null {
  const token = peek(p);
  if (depth >= MAX_NESTING) return fail(p, token, `parentheses and not nest at most ${MAX_NESTING} deep`);
  if (isWord(token, 'not')) {
    p.at++;
    const inner = parseUnary(p, depth + 1);
    return inner === null ? null : { not: inner };
  }
  if (token.text === '(' && token.kind === 'punct') {
    p.at++;
    const inner = parseOr(p, depth + 1);
    if (inner === null) return null;
    const close = peek(p);
    if (close.kind !== 'punct' || close.text !== ')')
      return fail(p, close, `expected ")", got ${shown(close)}`);
    p.at++;
    return inner;
  }
  if (isWord(token, 'sql')) {
    p.at++;
    const body = peek(p);
    if (body.kind !== 'string') return fail(p, body, `expected a string after sql, got ${shown(body)}`);
    p.at++;
    return { sql: JSON.parse(body.text) as string };
  }
  return parseLeaf(p);
}

function parseLeaf(p: Parser): Condition | null {
  const path = peek(p);
  if (path.kind !== 'word' || KEYWORDS.has(path.text)) {
    return fail(p, path, `expected a path (e.g. payload.total), not, sql or "(", got ${shown(path)}`);
  }
  p.at++;
  const op = peek(p);
  if (op.kind !== 'word' || !OPS.has(op.text)) {
    return fail(p, op, `expected an operator (${OP_LIST}) after the path, got ${shown(op)}`);
  }
  p.at++;
  let leaf: Condition = { path: path.text, op: op.text as (typeof CONDITION_OPS)[number] };
  const start = peek(p);
  if (op.text !== 'exists') {
    const value = start.kind === 'punct' && start.text === '[' ? parseArray(p) : parseScalar(p);
    if (value === undefined) return null;
    leaf = { ...leaf, value };
  }
  const checked = validateCondition(leaf, { sql: true });
  if (!checked.ok) {
    const problem = checked.problems[0];
    const column = problem?.path.endsWith('.path') ? path.column : start.column;
    return fail(
      p,
      { ...path, column },
      problem?.message.replace(/^condition\.?/, '').replace(/^: /, '') ?? '',
    );
  }
  return leaf;
}

function parseScalar(p: Parser): ConditionScalar | undefined {
  const token = peek(p);
  p.at++;
  if (token.kind === 'string') return JSON.parse(token.text) as string;
  if (token.kind === 'number') {
    const value = Number(token.text);
    if (Number.isFinite(value)) return value;
    fail(p, token, `number ${token.text} is out of range`);
    return undefined;
  }
  if (isWord(token, 'true')) return true;
  if (isWord(token, 'false')) return false;
  if (isWord(token, 'null')) return null;
  fail(
    p,
    token,
    `expected a value (a JSON string, number, true, false, null or [list]), got ${shown(token)}`,
  );
  return undefined;
}

function parseArray(p: Parser): ConditionScalar[] | undefined {
  const open = peek(p);
  p.at++;
  const items: ConditionScalar[] = [];
  if (peek(p).text === ']' && peek(p).kind === 'punct') {
    p.at++;
    return items;
  }
  for (;;) {
    if (items.length >= CONDITION_LIMITS.maxIn) {
      fail(p, open, `a list holds at most ${CONDITION_LIMITS.maxIn} values`);
      return undefined;
    }
    const item = parseScalar(p);
    if (item === undefined) return undefined;
    items.push(item);
    const next = peek(p);
    p.at++;
    if (next.kind === 'punct' && next.text === ']') return items;
    if (next.kind !== 'punct' || next.text !== ',') {
      fail(p, next, `expected "," or "]" in the list, got ${shown(next)}`);
      return undefined;
    }
  }
}
