import { isInt32 } from './cesql-value.ts';

const OPERATORS = new Set([
  '=',
  '!=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  'AND',
  'OR',
  'XOR',
]);
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
const FUNCTION_NAME = /^[A-Z][A-Z_]*$/;

/**
 * Checks that a tree handed to `compile` (rather than parsed by it) is an `Expression` the parser could
 * have built, no deeper than `maxDepth`. Walks with an explicit stack, so a hostile tree cannot overflow
 * it. Returns the first problem found, or undefined.
 */
export function checkExpression(root: unknown, maxDepth: number): string | undefined {
  const pending: Array<[unknown, number]> = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (depth > maxDepth) return `the expression nests deeper than ${maxDepth} levels`;
    if (typeof node !== 'object' || node === null) return 'an expression node is not an object';
    const n = node as Record<string, unknown>;
    const push = (child: unknown) => pending.push([child, depth + 1]);
    switch (n['kind']) {
      case 'literal': {
        const value = n['value'];
        const valid =
          typeof value === 'boolean' ||
          typeof value === 'string' ||
          (typeof value === 'number' && isInt32(value));
        if (!valid) return `a literal holds ${String(value)}, not a Boolean, 32-bit Integer or String`;
        break;
      }
      case 'attribute':
      case 'exists':
        if (typeof n['name'] !== 'string' || !ATTRIBUTE_NAME.test(n['name'])) {
          return `${JSON.stringify(n['name'])} is not a lower-case attribute name`;
        }
        break;
      case 'not':
      case 'negate':
        push(n['operand']);
        break;
      case 'like':
        if (typeof n['pattern'] !== 'string' || typeof n['negated'] !== 'boolean')
          return 'a LIKE node is malformed';
        push(n['operand']);
        break;
      case 'binary':
        if (!OPERATORS.has(n['operator'] as string))
          return `${String(n['operator'])} is not a binary operator`;
        push(n['left']);
        push(n['right']);
        break;
      case 'in': {
        const set = n['set'];
        if (!Array.isArray(set) || set.length === 0 || typeof n['negated'] !== 'boolean') {
          return 'an IN node is malformed';
        }
        push(n['operand']);
        for (const element of set) push(element);
        break;
      }
      case 'call': {
        const args = n['args'];
        if (typeof n['name'] !== 'string' || !FUNCTION_NAME.test(n['name']) || !Array.isArray(args)) {
          return 'a function call node is malformed';
        }
        for (const arg of args) push(arg);
        break;
      }
      default:
        return `${String(n['kind'])} is not an expression kind`;
    }
  }
  return undefined;
}
