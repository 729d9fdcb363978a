import type { BinaryOperator, Expression } from './expression-ast.ts';

const LEVELS: Record<BinaryOperator, number> = {
  AND: 1,
  OR: 1,
  XOR: 1,
  '=': 2,
  '!=': 2,
  '<>': 2,
  '<': 2,
  '<=': 2,
  '>': 2,
  '>=': 2,
  '+': 3,
  '-': 3,
  '*': 4,
  '/': 4,
  '%': 4,
};
const UNARY = 8;
const ATOM = 9;

/**
 * Prints an expression as CESQL text that parses back to the same tree, with keywords upper-cased and only
 * the parentheses the grammar needs (plus some around LIKE and IN operands, for the reader). A string
 * ending in a backslash has no CESQL spelling, so a parsed tree never holds one.
 */
export function print(expression: Expression): string {
  switch (expression.kind) {
    case 'literal': {
      const value = expression.value;
      if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
      if (typeof value === 'number') return String(value);
      return quote(value);
    }
    case 'attribute':
      return expression.name;
    case 'exists':
      return `EXISTS ${expression.name}`;
    case 'not':
      return `NOT ${unaryOperand(expression.operand)}`;
    case 'negate': {
      const operand = expression.operand;
      // `-5` would read back as the literal -5, not as minus applied to 5.
      if (operand.kind === 'literal' && typeof operand.value === 'number') return `-(${operand.value})`;
      return `-${unaryOperand(operand)}`;
    }
    case 'binary': {
      const level = LEVELS[expression.operator];
      const left = wrap(expression.left, level);
      const right = wrap(expression.right, level + 1);
      return `${left} ${expression.operator} ${right}`;
    }
    case 'like':
      return `${unaryOperand(expression.operand)} ${expression.negated ? 'NOT LIKE' : 'LIKE'} ${quote(expression.pattern)}`;
    case 'in': {
      const set = expression.set.map(print).join(', ');
      return `${unaryOperand(expression.operand)} ${expression.negated ? 'NOT IN' : 'IN'} (${set})`;
    }
    case 'call':
      return `${expression.name}(${expression.args.map(print).join(', ')})`;
  }
}

function levelOf(expression: Expression): number {
  switch (expression.kind) {
    case 'binary':
      return LEVELS[expression.operator];
    case 'in':
      return 5;
    case 'like':
      return 6;
    case 'not':
    case 'negate':
      return UNARY;
    default:
      return ATOM;
  }
}

function wrap(expression: Expression, atLeast: number): string {
  const text = print(expression);
  return levelOf(expression) >= atLeast ? text : `(${text})`;
}

function unaryOperand(expression: Expression): string {
  return wrap(expression, UNARY);
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "\\'")}'`;
}
