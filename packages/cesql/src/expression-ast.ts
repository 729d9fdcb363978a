import type { Value } from './cesql-value.ts';

/** A binary operator, spelled as in CESQL (`!=` and `<>` stay distinct so printing round-trips). */
export type BinaryOperator =
  | '='
  | '!='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | 'AND'
  | 'OR'
  | 'XOR';

/**
 * A parsed CESQL expression. Attribute names are lower-cased and function names upper-cased, because
 * both are case-insensitive in CESQL; sub-expression parentheses leave no node.
 */
export type Expression =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'exists'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: Expression }
  | { readonly kind: 'negate'; readonly operand: Expression }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: Expression;
      readonly right: Expression;
    }
  | {
      readonly kind: 'like';
      readonly negated: boolean;
      readonly operand: Expression;
      readonly pattern: string;
    }
  | {
      readonly kind: 'in';
      readonly negated: boolean;
      readonly operand: Expression;
      readonly set: readonly Expression[];
    }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expression[] };

/** Deepest nesting of `expression`, counted without recursion so a hostile tree cannot overflow the stack. */
export function expressionDepth(expression: Expression): number {
  let deepest = 0;
  const pending: Array<[Expression, number]> = [[expression, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (depth > deepest) deepest = depth;
    for (const child of childrenOf(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

function childrenOf(node: Expression): readonly Expression[] {
  switch (node.kind) {
    case 'literal':
    case 'attribute':
    case 'exists':
      return [];
    case 'not':
    case 'negate':
    case 'like':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'in':
      return [node.operand, ...node.set];
    case 'call':
      return node.args;
  }
}
