import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeaderValue, encodeHeaderValue } from './header-value-encoding.ts';

describe('encodeHeaderValue', () => {
  it('encodes the binding spec example', () => {
    assert.equal(encodeHeaderValue('Euro \u20AC \u{1F600}'), 'Euro%20%E2%82%AC%20%F0%9F%98%80');
  });

  it('encodes space, double quote and percent, and leaves other printable ASCII alone', () => {
    assert.equal(encodeHeaderValue('a "b" 100%'), 'a%20%22b%22%20100%25');
    assert.equal(encodeHeaderValue('/sluice/tenants/ten_1?x=1&y=~'), '/sluice/tenants/ten_1?x=1&y=~');
  });

  it('encodes control characters', () => {
    assert.equal(encodeHeaderValue('a\nb\u007f'), 'a%0Ab%7F');
  });
});

describe('decodeHeaderValue', () => {
  it('inverts encodeHeaderValue', () => {
    for (const value of ['Euro \u20AC \u{1F600}', 'a "b" 100%', 'plain', '', 'Grüße, 東京 ☃']) {
      assert.equal(decodeHeaderValue(encodeHeaderValue(value)), value);
    }
  });

  it('accepts lower-case hex and unnecessary encoding', () => {
    assert.equal(decodeHeaderValue('%e2%82%ac%41'), '\u20ACA');
  });

  it('unescapes double-quoted strings before percent-decoding', () => {
    assert.equal(decodeHeaderValue('"hello world"'), 'hello world');
    assert.equal(decodeHeaderValue('"say \\"hi\\""'), 'say "hi"');
    assert.equal(decodeHeaderValue('"a%20b"'), 'a b');
  });

  it('rejects invalid UTF-8, overlong encodings, bad escapes and open quotes', () => {
    assert.equal(decodeHeaderValue('%C0%A0'), null);
    assert.equal(decodeHeaderValue('%FF'), null);
    assert.equal(decodeHeaderValue('100%'), null);
    assert.equal(decodeHeaderValue('"unterminated'), null);
  });
});
