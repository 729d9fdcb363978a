/**
 * Hostile values for the bad-input run: strings, bodies and conditions built to break a parser, a
 * query, a header or a path, each small enough to build once and reuse.
 */

/** A small deterministic generator, so a failing run can be replayed from its seed. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number) => next() < p;
  const int = (max: number) => Math.floor(next() * max);
  return { next, pick, chance, int };
}

export type Random = ReturnType<typeof seeded>;

/** Strings for ids, names and fields: SQL, header injection, traversal, control characters, unicode. */
export const HOSTILE_STRINGS: ReadonlyArray<string> = [
  '',
  ' ',
  "' OR '1'='1",
  "'; DROP TABLE envelopes; --",
  '1; SELECT pg_sleep(10)--',
  '" OR ""="',
  '\\',
  '%',
  '_',
  '%%',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: sluice=1',
  'x\r\n\r\nHTTP/1.1 200 OK',
  '<script>alert(1)</script>',
  ['$', '{jndi:ldap://127.0.0.1/a}'].join(''),
  '{{7*7}}',
  '\u202e\u200b\ufeff',
  '\ud800',
  '𝕊𝕝𝕦𝕚𝕔𝕖',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  'null',
  'true',
  '__proto__',
  'constructor',
  'x'.repeat(70_000),
];

/** Ids for path parameters, already percent-encoded where a raw character would change the path. */
export const HOSTILE_IDS: ReadonlyArray<string> = [
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%252e%252e%252f',
  '%00',
  'con_%00',
  '%27%20OR%20%271%27%3D%271',
  '1%3B%20DROP%20TABLE%20jobs',
  '%0d%0aLocation:%20http:%2f%2f127.0.0.1',
  '%E0%A4%A',
  '%ff%fe',
  '%F0%9F%92%A9',
  'a'.repeat(300),
  'b'.repeat(9_000),
  '-1',
  '0',
  '9'.repeat(40),
  '00000000-0000-0000-0000-000000000000',
  'undefined',
  '__proto__',
  '*',
  '%2A',
];

/** Bodies that are not the JSON they claim to be, or JSON of a shape no route wants. */
export function malformedBodies(): ReadonlyArray<Buffer> {
  bodies ??= buildMalformedBodies();
  return bodies;
}

let bodies: ReadonlyArray<Buffer> | undefined;

function buildMalformedBodies(): ReadonlyArray<Buffer> {
  const depth = 20_000;
  return [
    '',
    '{',
    '}',
    '[',
    '{"a":',
    '{"a":1,}',
    '{"a" 1}',
    "{'a':1}",
    '[1,2',
    'nul',
    'NaN',
    '-',
    '1e99999',
    '"unterminated',
    '{"a":"\\x41"}',
    '{"a":"\\u12"}',
    '\ufeff{}',
    'null',
    'true',
    '0',
    '[]',
    '"text"',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":1,"a":2}',
    '['.repeat(depth) + ']'.repeat(depth),
    '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
    '['.repeat(depth),
    `[${'1,'.repeat(200_000)}1]`,
    `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
    `{"big":"${'x'.repeat(900_000)}"}`,
  ]
    .map((text) => Buffer.from(text))
    .concat([
      Buffer.from([0xff, 0xfe, 0xfd]),
      Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('"}')]),
      Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      Buffer.from('{"a":"b"}\u0000garbage'),
      Buffer.from('\u0000\u0001\u0002\u0003'),
    ]);
}

/** Nests `leaf` `depth` times with `wrap`. */
function nest<T>(depth: number, leaf: T, wrap: (inner: T) => T): T {
  let node = leaf;
  for (let i = 0; i < depth; i++) node = wrap(node);
  return node;
}

/**
 * Conditions built to blow up a parser, a compiler or an evaluator: deep nesting, huge `in` lists,
 * pathological LIKE patterns, CESQL text of every kind of excess, and type confusion.
 */
export function hostileConditions(): ReadonlyArray<unknown> {
  conditions ??= buildHostileConditions();
  return conditions;
}

let conditions: ReadonlyArray<unknown> | undefined;

function buildHostileConditions(): ReadonlyArray<unknown> {
  const leaf = { path: 'payload.total', op: 'gt', value: 1 };
  const likes = [
    `${'%a'.repeat(40)}b`,
    `${'%_'.repeat(60)}x`,
    `${'_%'.repeat(30)}a%`,
    `${'%'.repeat(500)}a`,
    `a${'%a'.repeat(15)}%`,
    '\\%\\_\\\\%',
    '%\\',
  ];
  return [
    nest(1_000, leaf as unknown, (inner) => ({ not: inner })),
    nest(64, leaf as unknown, (inner) => ({ not: inner })),
    nest(1_000, leaf as unknown, (inner) => ({ all: [inner, leaf] })),
    nest(20, leaf as unknown, (inner) => ({ any: [inner, leaf] })),
    { all: Array.from({ length: 50_000 }, () => leaf) },
    { path: 'payload.total', op: 'in', value: Array.from({ length: 100_000 }, (_, i) => i % 10) },
    { path: 'payload.total', op: 'in', value: Array.from({ length: 2_000 }, (_, i) => `v${i}`) },
    { path: 'payload.total', op: 'in', value: [[1], { a: 1 }] },
    { path: `payload.${'a.'.repeat(5_000)}b`, op: 'exists' },
    { path: 'payload.__proto__.polluted', op: 'exists' },
    { path: 'constructor.prototype', op: 'eq', value: 1 },
    { path: 'payload.total', op: 'regex', value: '(a+)+$' },
    { path: 'payload.total', op: 'eq', value: { $ne: 1 } },
    { path: 'payload.total', op: 'eq' },
    { path: 123, op: 'eq', value: 1 },
    { all: 'nope' },
    { all: [] },
    { not: [] },
    { sql: 42 },
    { sql: '' },
    ...likes.map((pattern) => ({ sql: `source LIKE '${pattern}'` })),
    ...likes.map((pattern) => ({ sql: `subject NOT LIKE '${pattern}' OR type LIKE '${pattern}'` })),
    { sql: `${'('.repeat(10_000)}true${')'.repeat(10_000)}` },
    { sql: `${'('.repeat(200)}true${')'.repeat(200)}` },
    { sql: `${'NOT '.repeat(20_000)}true` },
    { sql: `${'-'.repeat(50_000)}1 = 1` },
    { sql: `${'a = 1 AND '.repeat(20_000)}true` },
    { sql: `source IN (${Array.from({ length: 50_000 }, (_, i) => i).join(',')})` },
    { sql: `source IN (${Array.from({ length: 500 }, (_, i) => `'v${i}'`).join(',')})` },
    { sql: `${'CONCAT('.repeat(5_000)}'a'${')'.repeat(5_000)} = 'a'` },
    { sql: `UPPER(${'LOWER('.repeat(3_000)}source${')'.repeat(3_001)} = 'A'` },
    { sql: "subject = 'unterminated" },
    { sql: 'subject = "double"' },
    { sql: 'subject ==== 1' },
    { sql: 'subject = 99999999999999999999999999' },
    { sql: 'ABS(-2147483648) = 1' },
    { sql: '2147483647 + 1 > 0' },
    { sql: '1 / 0 = 1' },
    { sql: 'NOSUCHFUNCTION(1) = 1' },
    { sql: "type = 'order.created'; DROP TABLE triggers" },
    { sql: 'subject = 1 -- comment' },
    { sql: '\u0000' },
    { sql: 'x'.repeat(200_000) },
    `${'payload.total gt 1 and '.repeat(10_000)}payload.total gt 1`,
    `${'('.repeat(10_000)}payload.total gt 1${')'.repeat(10_000)}`,
    `${'not '.repeat(10_000)}payload.total gt 1`,
    'payload.total in [' + '1,'.repeat(50_000) + '1]',
    'payload.total gt',
    'payload.total ~ 1',
    "payload.name eq 'unterminated",
    null,
    42,
    [],
    true,
  ];
}

/**
 * Conditions at the edge of what is accepted: as deep, wide, long and pathological as the limits allow
 * (depth 10, 64 per list, 1,000 in an `in`, 4,096 characters of CESQL), so that they compile and their
 * evaluation can be timed.
 */
export function edgeConditions(): ReadonlyArray<unknown> {
  edge ??= buildEdgeConditions();
  return edge;
}

let edge: ReadonlyArray<unknown> | undefined;

function buildEdgeConditions(): ReadonlyArray<unknown> {
  const leaf = { path: 'payload.note', op: 'contains', value: 'a'.repeat(64) };
  const likes = [
    `${'%a'.repeat(40)}b`,
    `${'%_'.repeat(60)}x`,
    `${'_%'.repeat(30)}a%`,
    `${'%'.repeat(500)}a`,
    `${'%a%'.repeat(300)}c`,
  ];
  return [
    nest(9, leaf as unknown, (inner) => ({ not: inner })),
    nest(9, leaf as unknown, (inner) => ({ all: [inner, leaf] })),
    {
      any: Array.from({ length: 64 }, (_, i) => ({
        path: `payload.k${i}.${'x.'.repeat(10)}y`,
        op: 'exists',
      })),
    },
    {
      path: 'payload.total',
      op: 'in',
      value: Array.from({ length: 1_000 }, (_, i) => (i % 2 ? i : `v${i}`)),
    },
    { path: 'payload.note', op: 'eq', value: 'a'.repeat(4_096) },
    ...likes.flatMap((pattern) => [
      { sql: `source LIKE '${pattern}'` },
      { sql: `subject NOT LIKE '${pattern}' OR type LIKE '${pattern}'` },
      { all: [{ sql: `source LIKE '${pattern}'` }, { sql: `type LIKE '${pattern}'` }] },
    ]),
    { sql: `${'('.repeat(100)}source = 'a'${')'.repeat(100)}` },
    { sql: `${'NOT '.repeat(100)}(source = 'a')` },
    { sql: `source IN (${Array.from({ length: 400 }, (_, i) => `'v${i}'`).join(',')})` },
    { sql: `UPPER(${'LOWER('.repeat(50)}source${')'.repeat(51)} LIKE '${'%A'.repeat(30)}B'` },
    `${'payload.total gt 1 and '.repeat(60)}payload.total gt 1`,
  ];
}

/**
 * Trigger bodies whose condition nests deeper than a recursive serializer or parser survives, as raw
 * JSON text (building them as objects would overflow the stack of the generator itself).
 */
export function deepConditionBodies(): ReadonlyArray<Buffer> {
  deep ??= [20_000, 100_000].flatMap((depth) => {
    const head =
      '{"name":"deep","event_types":["order.*"],"action":{"type":"handler","name":"noop"},"condition":';
    const leaf = '{"path":"payload.total","op":"gt","value":1}';
    return [
      `${head}${'{"not":'.repeat(depth)}${leaf}${'}'.repeat(depth)}}`,
      `${head}${'{"any":['.repeat(depth)}${leaf}${']}'.repeat(depth)}}`,
    ].map((text) => Buffer.from(text));
  });
  return deep;
}

let deep: ReadonlyArray<Buffer> | undefined;

/** Long strings an accepted condition is evaluated against: where a naive LIKE or regex would backtrack. */
export const PATHOLOGICAL_TEXTS: ReadonlyArray<string> = [
  'a'.repeat(20_000),
  `${'a'.repeat(20_000)}c`,
  '_%'.repeat(5_000),
  'ab'.repeat(10_000),
  '',
];
