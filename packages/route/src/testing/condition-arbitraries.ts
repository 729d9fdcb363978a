import {
  CONDITION_OPS,
  type Condition,
  type ConditionLeaf,
  type ConditionScalar,
  ENVELOPE_FIELDS,
} from '@sluice/core';
import fc from 'fast-check';

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Strings of every kind: any code points, any code units, and the characters the text form escapes. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: codeUnit, maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', ' ', 'and', '(', ']', ','), maxLength: 6 }),
);

export const scalar: fc.Arbitrary<ConditionScalar> = fc.oneof(
  anyString,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

export const conditionPath: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...ENVELOPE_FIELDS),
    fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,6}$/), { maxLength: 3 }),
  )
  .map(([root, rest]) => [root, ...rest].join('.'));

export const leaf: fc.Arbitrary<ConditionLeaf> = fc
  .tuple(
    conditionPath,
    fc.constantFrom(...CONDITION_OPS),
    scalar,
    fc.array(scalar, { minLength: 1, maxLength: 5 }),
  )
  .chain(([path, op, value, list]): fc.Arbitrary<ConditionLeaf> => {
    if (op === 'exists') return fc.constant({ path, op });
    if (op === 'in') return fc.constant({ path, op, value: list });
    if (op === 'gt' || op === 'lt') {
      const ordered = fc.oneof(anyString, fc.double({ noNaN: true, noDefaultInfinity: true }));
      return ordered.map((v): ConditionLeaf => ({ path, op, value: v }));
    }
    return fc.constant({ path, op, value });
  });

const sql: fc.Arbitrary<Condition> = anyString
  .filter((text) => text.trim() !== '')
  .map((text) => ({ sql: text }));

const list = (node: fc.Arbitrary<Condition>) =>
  fc.array(node, { minLength: 2, maxLength: 3, depthIdentifier: 'condition' });

/** Valid condition trees of every shape, up to a few levels deep (lists of 2 to 3). */
export const condition: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'condition', withCrossShrink: true },
    leaf,
    sql,
    list(tie('node')).map((all) => ({ all })),
    list(tie('node')).map((any) => ({ any })),
    tie('node').map((not) => ({ not })),
  ),
})).node;
