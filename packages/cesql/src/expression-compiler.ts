import type { FunctionDefinition } from './builtin-functions.ts';
import { type CesqlType, isInt32, typeOf, type Value, zeroOf } from './cesql-value.ts';
import type { ErrorSink } from './evaluation-error.ts';
import { attributeValue, type EventAttributes, hasAttribute } from './event-attributes.ts';
import type { BinaryOperator, Expression } from './expression-ast.ts';
import { type FunctionTable, resolveFunction } from './function-table.ts';
import { castTo, toBooleanImplicit, toIntegerValue, toStringValue } from './implicit-cast.ts';
import { INTEGER_OPERATORS, negateInt32 } from './int32-math.ts';
import { compileLike } from './like-pattern.ts';

/** A compiled node: its value for `event`, with any errors pushed onto `errors`. */
export type Evaluator = (event: EventAttributes, errors: ErrorSink) => Value;

/*
 * Error flow. A node whose operands raised any error (a missing attribute, a division by zero below it)
 * does not compute: it returns the zero value of its own return type, so `1 / missing` is 0 with only a
 * missing-attribute error, and `true AND (1 != 1 / 0)` is false. Errors a node raises itself (an implicit
 * cast, an overflow) come with the value the spec defines, so `NOT 10` is true beside a cast error.
 * A node tells whether its operands failed by whether the error list grew while they ran.
 */

/** Compiles `expression` into a closure tree; function calls are resolved here, once. */
export function compileExpression(expression: Expression, functions: FunctionTable): Evaluator {
  switch (expression.kind) {
    case 'literal': {
      const value = expression.value;
      return () => value;
    }
    case 'attribute':
      return compileAttribute(expression.name);
    case 'exists': {
      const name = expression.name;
      return (event) => hasAttribute(event, name);
    }
    case 'not': {
      const operand = compileExpression(expression.operand, functions);
      return (event, errors) => {
        const before = errors.length;
        const value = operand(event, errors);
        if (errors.length !== before) return false;
        return !toBooleanImplicit(value, errors);
      };
    }
    case 'negate': {
      const operand = compileExpression(expression.operand, functions);
      return (event, errors) => {
        const before = errors.length;
        const value = operand(event, errors);
        if (errors.length !== before) return 0;
        return negateInt32(toIntegerValue(value, errors), errors);
      };
    }
    case 'binary':
      return compileBinary(
        expression.operator,
        compileExpression(expression.left, functions),
        compileExpression(expression.right, functions),
      );
    case 'like': {
      const operand = compileExpression(expression.operand, functions);
      const matcher = compileLike(expression.pattern);
      const negated = expression.negated;
      return (event, errors) => {
        const before = errors.length;
        const value = operand(event, errors);
        if (errors.length !== before) return false;
        return matcher(toStringValue(value)) !== negated;
      };
    }
    case 'in':
      return compileIn(
        expression.negated,
        compileExpression(expression.operand, functions),
        expression.set.map((element) => compileExpression(element, functions)),
      );
    case 'call': {
      const definition = resolveFunction(functions, expression.name, expression.args.length);
      if (definition === undefined) return missingFunction(expression.name, expression.args.length);
      return compileCall(
        definition,
        expression.args.map((arg) => compileExpression(arg, functions)),
      );
    }
  }
}

function compileAttribute(name: string): Evaluator {
  return (event, errors) => {
    if (!hasAttribute(event, name)) {
      errors.push({ kind: 'missingAttribute', message: `the event has no attribute ${name}` });
      // The type such a bare reference would have cannot be known: the spec says assume Boolean.
      return false;
    }
    return attributeValue(event[name], name, errors);
  };
}

function compileBinary(operator: BinaryOperator, left: Evaluator, right: Evaluator): Evaluator {
  switch (operator) {
    case 'AND':
      return (event, errors) => {
        const before = errors.length;
        const x = left(event, errors);
        if (errors.length !== before || !toBooleanImplicit(x, errors)) return false;
        const middle = errors.length;
        const y = right(event, errors);
        if (errors.length !== middle) return false;
        return toBooleanImplicit(y, errors);
      };
    case 'OR':
      return (event, errors) => {
        const before = errors.length;
        const x = left(event, errors);
        if (errors.length !== before) return false;
        if (toBooleanImplicit(x, errors)) return true;
        const middle = errors.length;
        const y = right(event, errors);
        if (errors.length !== middle) return false;
        return toBooleanImplicit(y, errors);
      };
    case 'XOR':
      return (event, errors) => {
        const before = errors.length;
        const x = left(event, errors);
        const y = right(event, errors);
        if (errors.length !== before) return false;
        return toBooleanImplicit(x, errors) !== toBooleanImplicit(y, errors);
      };
    case '=':
    case '!=':
    case '<>': {
      const wantEqual = operator === '=';
      return (event, errors) => {
        const before = errors.length;
        const x = left(event, errors);
        const y = right(event, errors);
        if (errors.length !== before) return false;
        // `=` is overloaded for all three types: the right operand's type picks the overload (spec 3.7).
        return (castTo(typeOf(y), x, errors) === y) === wantEqual;
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const compare = COMPARISONS[operator];
      return (event, errors) => {
        const before = errors.length;
        const x = left(event, errors);
        const y = right(event, errors);
        if (errors.length !== before) return false;
        return compare(toIntegerValue(x, errors), toIntegerValue(y, errors));
      };
    }
    default: {
      const compute = INTEGER_OPERATORS[operator];
      return (event, errors) => {
        const before = errors.length;
        const x = left(event, errors);
        const y = right(event, errors);
        if (errors.length !== before) return 0;
        const a = toIntegerValue(x, errors);
        const b = toIntegerValue(y, errors);
        return compute(a, b, errors);
      };
    }
  }
}

const COMPARISONS = {
  '<': (x: number, y: number) => x < y,
  '<=': (x: number, y: number) => x <= y,
  '>': (x: number, y: number) => x > y,
  '>=': (x: number, y: number) => x >= y,
} as const;

function compileIn(negated: boolean, operand: Evaluator, set: readonly Evaluator[]): Evaluator {
  return (event, errors) => {
    const before = errors.length;
    const x = operand(event, errors);
    const elements = set.map((element) => element(event, errors));
    if (errors.length !== before) return false;
    // The left operand's type is the target type of every element (spec 3.7, IN).
    const target = typeOf(x);
    let found = false;
    for (const element of elements) if (castTo(target, element, errors) === x) found = true;
    return found !== negated;
  };
}

function compileCall(definition: FunctionDefinition, args: readonly Evaluator[]): Evaluator {
  const { parameters, variadic, returns, implementation, name } = definition;
  const zero = zeroOf(returns);
  return (event, errors) => {
    const before = errors.length;
    const values = args.map((arg) => arg(event, errors));
    if (errors.length !== before) return zero;
    const cast = values.map((value, i) => {
      const type = parameters[i] ?? variadic ?? 'Any';
      return type === 'Any' ? value : castTo(type, value, errors);
    });
    let result: unknown;
    try {
      result = implementation(cast, errors);
    } catch (thrown) {
      errors.push({ kind: 'functionEvaluation', message: `${name} failed: ${describeThrown(thrown)}` });
      return zero;
    }
    if (!hasType(result, returns)) {
      errors.push({
        kind: 'functionEvaluation',
        message: `${name} returned a value that is not a ${returns}`,
      });
      return zero;
    }
    return result;
  };
}

function missingFunction(name: string, arity: number): Evaluator {
  return (_event, errors) => {
    errors.push({ kind: 'missingFunction', message: `no function ${name} takes ${arity} argument(s)` });
    return false;
  };
}

function hasType(value: unknown, type: CesqlType): value is Value {
  if (type === 'Boolean') return typeof value === 'boolean';
  if (type === 'String') return typeof value === 'string';
  return typeof value === 'number' && isInt32(value);
}

function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return 'an exception';
  }
}
