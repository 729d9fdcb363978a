import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonExact } from './delivery.ts';

test('an integer beyond 2^53 keeps its exact digits; a safe one stays a number', () => {
  const body = parseJsonExact('{"id":12345678901234567,"small":9007199254740991,"neg":-98765432109876543}');
  assert.deepEqual(body, { id: '12345678901234567', small: 9007199254740991, neg: '-98765432109876543' });
});

test('a body without a run of 16 digits parses as JSON.parse does', () => {
  const text = '{"id":820982911946154,"total":"19.99","n":1.5e300,"items":[{"q":2}],"s":"a\\u0000b"}';
  assert.deepEqual(parseJsonExact(text), JSON.parse(text));
});

test('16 digits inside a string or a fraction leave numbers as they are', () => {
  const body = parseJsonExact('{"card":"4111111111111111","ratio":0.12345678901234567,"id":7}');
  assert.deepEqual(body, { card: '4111111111111111', ratio: JSON.parse('0.12345678901234567'), id: 7 });
});

test('invalid JSON throws, with or without long digit runs', () => {
  assert.throws(() => parseJsonExact('{"id":'), SyntaxError);
  assert.throws(() => parseJsonExact('{"id":12345678901234567'), SyntaxError);
});
