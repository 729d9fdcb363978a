import { type Token, tokenize } from './cesql-lexer.ts';
import { INT32_MAX, INT32_MIN } from './cesql-value.ts';
import type { ParseError } from './evaluation-error.ts';
import { type BinaryOperator, type Expression, expressionDepth } from './expression-ast.ts';

/** Bounds that keep a hostile expression from exhausting the stack or the CPU. */
export interface ParseLimits {
  /** Longest accepted text, in UTF-16 code units. Default 8192. */
  readonly maxLength?: number;
  /** Deepest accepted nesting of sub-expressions and parentheses. Default 128, at most 1000. */
  readonly maxDepth?: number;
}

/** The outcome of {@link parse}. */
export type ParseResult = { ok: true; expression: Expression } | { ok: false; error: ParseError };

/** Default bound on the length of an expression's text. */
export const DEFAULT_MAX_LENGTH = 8192;
/** Default bound on an expression's nesting depth. */
export const DEFAULT_MAX_DEPTH = 128;
// Compiling, evaluating and printing recurse once per level; past this even a raised limit could reach
// the engine's stack size.
const HARD_MAX_DEPTH = 1000;

/** The nesting bound `limits` asks for, never above what the recursive stages can take. */
export function depthLimit(limits: ParseLimits): number {
  return Math.min(limits.maxDepth ?? DEFAULT_MAX_DEPTH, HARD_MAX_DEPTH);
}

const KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'IN', 'EXISTS', 'TRUE', 'FALSE']);
const ATTRIBUTE_NAME = /^[A-Za-z0-9]+$/;
const FUNCTION_NAME = /^[A-Za-z][A-Za-z_]*$/;

// Binding strength of the infix operators, loosest first, as listed in spec 3.6. LIKE and IN bind tighter
// than arithmetic, and AND, OR and XOR share one level evaluated left to right.
const LOGIC = 1;
const COMPARISON = 2;
const ADDITIVE = 3;
const MULTIPLICATIVE = 4;
const IN_LEVEL = 5;
const LIKE_LEVEL = 6;

const BINARY_LEVELS: ReadonlyMap<string, number> = new Map([
  ['AND', LOGIC],
  ['OR', LOGIC],
  ['XOR', LOGIC],
  ['=', COMPARISON],
  ['!=', COMPARISON],
  ['<>', COMPARISON],
  ['<', COMPARISON],
  ['<=', COMPARISON],
  ['>', COMPARISON],
  ['>=', COMPARISON],
  ['+', ADDITIVE],
  ['-', ADDITIVE],
  ['*', MULTIPLICATIVE],
  ['/', MULTIPLICATIVE],
  ['%', MULTIPLICATIVE],
]);

class ParseFailure {
  readonly message: string;
  readonly position: number;
  constructor(message: string, position: number) {
    this.message = message;
    this.position = position;
  }
}

/**
 * Parses a CESQL expression. Never throws: any text that is not an expression, is longer than
 * `maxLength` or nests deeper than `maxDepth` gives a parse error naming the column.
 */
export function parse(text: string, limits: ParseLimits = {}): ParseResult {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_LENGTH;
  const maxDepth = depthLimit(limits);
  if (typeof text !== 'string') return failure('expected the expression as a string', 0);
  if (text.length > maxLength) {
    return failure(`the expression is ${text.length} characters long; the limit is ${maxLength}`, maxLength);
  }
  const lexed = tokenize(text);
  if (!lexed.ok) return failure(lexed.failure.message, lexed.failure.position);
  try {
    const parser = new Parser(lexed.tokens, maxDepth);
    const expression = parser.parseRoot();
    // Chains such as `a OR b OR c ...` grow the tree without recursing in the parser; bound them too.
    if (expressionDepth(expression) > maxDepth) {
      return failure(`the expression nests deeper than ${maxDepth} levels`, 0);
    }
    return { ok: true, expression };
  } catch (thrown) {
    if (thrown instanceof ParseFailure) return failure(thrown.message, thrown.position);
    // Only a call stack already nearly full when parse was called can get here (RangeError).
    return failure('the expression nests too deeply for the remaining call stack', 0);
  }
}

function failure(message: string, position: number): ParseResult {
  return { ok: false, error: { kind: 'parse', message: `${message} at column ${position + 1}`, position } };
}

class Parser {
  readonly #tokens: readonly Token[];
  readonly #maxDepth: number;
  #index = 0;
  #depth = 0;

  constructor(tokens: readonly Token[], maxDepth: number) {
    this.#tokens = tokens;
    this.#maxDepth = maxDepth;
  }

  parseRoot(): Expression {
    const expression = this.#expression(LOGIC);
    const next = this.#peek();
    if (next.type !== 'end') throw new ParseFailure(`unexpected ${describe(next)}`, next.start);
    return expression;
  }

  #expression(minLevel: number): Expression {
    this.#enter();
    let left = this.#unary();
    for (;;) {
      const token = this.#peek();
      const operator = infixOperator(token, this.#peekAt(1));
      if (operator === undefined) break;
      if (operator.level < minLevel) break;
      this.#index += operator.tokens;
      if (operator.kind === 'binary') {
        const right = this.#expression(operator.level + 1);
        left = { kind: 'binary', operator: operator.operator, left, right };
      } else if (operator.kind === 'like') {
        const pattern = this.#next();
        if (pattern.type !== 'string') {
          throw new ParseFailure(
            `LIKE needs a string literal pattern, found ${describe(pattern)}`,
            pattern.start,
          );
        }
        left = { kind: 'like', negated: operator.negated, operand: left, pattern: pattern.value };
      } else {
        left = { kind: 'in', negated: operator.negated, operand: left, set: this.#set() };
      }
    }
    this.#depth--;
    return left;
  }

  #unary(): Expression {
    const token = this.#peek();
    if (isKeyword(token, 'NOT')) {
      this.#index++;
      this.#enter();
      const operand = this.#unary();
      this.#depth--;
      return { kind: 'not', operand };
    }
    if (token.type === 'symbol' && token.text === '-') {
      this.#index++;
      const next = this.#peek();
      // `-2147483648` is one literal: negating 2147483648 would not fit in 32 bits.
      if (next.type === 'integer') {
        this.#index++;
        return { kind: 'literal', value: integerValue(`-${next.text}`, token.start) };
      }
      this.#enter();
      const operand = this.#unary();
      this.#depth--;
      return { kind: 'negate', operand };
    }
    if (token.type === 'symbol' && token.text === '+') {
      const next = this.#peekAt(1);
      if (next.type === 'integer' && next.start === token.start + 1) {
        this.#index += 2;
        return { kind: 'literal', value: integerValue(next.text, token.start) };
      }
      throw new ParseFailure("'+' is only allowed as the sign of an integer literal", token.start);
    }
    return this.#primary();
  }

  #primary(): Expression {
    const token = this.#next();
    switch (token.type) {
      case 'integer':
        return { kind: 'literal', value: integerValue(token.text, token.start) };
      case 'string':
        return { kind: 'literal', value: token.value };
      case 'symbol':
        if (token.text === '(') {
          const inner = this.#expression(LOGIC);
          this.#expect(')', 'to close the parenthesis');
          return inner;
        }
        throw new ParseFailure(`unexpected ${describe(token)}`, token.start);
      case 'end':
        throw new ParseFailure('unexpected end of the expression', token.start);
      case 'word':
        return this.#word(token);
    }
  }

  #word(token: Token & { type: 'word' }): Expression {
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE') return { kind: 'literal', value: true };
    if (upper === 'FALSE') return { kind: 'literal', value: false };
    if (upper === 'EXISTS') {
      const name = this.#next();
      if (name.type !== 'word' || KEYWORDS.has(name.text.toUpperCase()) || !ATTRIBUTE_NAME.test(name.text)) {
        throw new ParseFailure(`EXISTS needs an attribute name, found ${describe(name)}`, name.start);
      }
      return { kind: 'exists', name: name.text.toLowerCase() };
    }
    if (KEYWORDS.has(upper)) throw new ParseFailure(`unexpected keyword ${upper}`, token.start);
    const after = this.#peek();
    if (after.type === 'symbol' && after.text === '(') {
      if (!FUNCTION_NAME.test(token.text)) {
        throw new ParseFailure(`${JSON.stringify(token.text)} is not a function name`, token.start);
      }
      this.#index++;
      return { kind: 'call', name: upper, args: this.#arguments() };
    }
    if (!ATTRIBUTE_NAME.test(token.text)) {
      throw new ParseFailure(
        `${JSON.stringify(token.text)} is not an attribute name (letters and digits only)`,
        token.start,
      );
    }
    return { kind: 'attribute', name: token.text.toLowerCase() };
  }

  #arguments(): Expression[] {
    const args: Expression[] = [];
    const close = this.#peek();
    if (close.type === 'symbol' && close.text === ')') {
      this.#index++;
      return args;
    }
    for (;;) {
      args.push(this.#expression(LOGIC));
      const next = this.#next();
      if (next.type === 'symbol' && next.text === ')') return args;
      if (!(next.type === 'symbol' && next.text === ',')) {
        throw new ParseFailure(
          `expected ',' or ')' in the argument list, found ${describe(next)}`,
          next.start,
        );
      }
    }
  }

  #set(): Expression[] {
    this.#expect('(', 'to open the IN set');
    const set: Expression[] = [];
    for (;;) {
      set.push(this.#expression(LOGIC));
      const next = this.#next();
      if (next.type === 'symbol' && next.text === ')') return set;
      if (!(next.type === 'symbol' && next.text === ',')) {
        throw new ParseFailure(`expected ',' or ')' in the IN set, found ${describe(next)}`, next.start);
      }
    }
  }

  #expect(symbol: string, why: string): void {
    const token = this.#next();
    if (token.type !== 'symbol' || token.text !== symbol) {
      throw new ParseFailure(`expected '${symbol}' ${why}, found ${describe(token)}`, token.start);
    }
  }

  #enter(): void {
    this.#depth++;
    if (this.#depth > this.#maxDepth) {
      throw new ParseFailure(`the expression nests deeper than ${this.#maxDepth} levels`, this.#peek().start);
    }
  }

  #peek(): Token {
    return this.#peekAt(0);
  }

  #peekAt(offset: number): Token {
    const tokens = this.#tokens;
    return tokens[Math.min(this.#index + offset, tokens.length - 1)] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#index < this.#tokens.length - 1) this.#index++;
    return token;
  }
}

type InfixOperator =
  | { kind: 'binary'; operator: BinaryOperator; level: number; tokens: 1 }
  | { kind: 'like' | 'in'; negated: boolean; level: number; tokens: 1 | 2 };

function infixOperator(token: Token, after: Token): InfixOperator | undefined {
  if (token.type === 'symbol' || token.type === 'word') {
    const text = token.type === 'word' ? token.text.toUpperCase() : token.text;
    const level = BINARY_LEVELS.get(text);
    if (level !== undefined) return { kind: 'binary', operator: text as BinaryOperator, level, tokens: 1 };
    if (text === 'LIKE') return { kind: 'like', negated: false, level: LIKE_LEVEL, tokens: 1 };
    if (text === 'IN') return { kind: 'in', negated: false, level: IN_LEVEL, tokens: 1 };
    if (text === 'NOT') {
      if (isKeyword(after, 'LIKE')) return { kind: 'like', negated: true, level: LIKE_LEVEL, tokens: 2 };
      if (isKeyword(after, 'IN')) return { kind: 'in', negated: true, level: IN_LEVEL, tokens: 2 };
    }
  }
  return undefined;
}

function integerValue(text: string, position: number): number {
  const value = Number(text);
  if (value < INT32_MIN || value > INT32_MAX) {
    throw new ParseFailure(`the integer ${text} does not fit in 32 bits`, position);
  }
  return value === 0 ? 0 : value;
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.type === 'word' && token.text.toUpperCase() === keyword;
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'end of the expression';
    case 'string':
      return 'string literal';
    case 'integer':
      return `integer ${token.text}`;
    default:
      return `'${token.text.length > 30 ? `${token.text.slice(0, 30)}…` : token.text}'`;
  }
}
