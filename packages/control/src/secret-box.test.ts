import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBox } from './secret-box.ts';

const KEY = Buffer.alloc(32, 7);

describe('SecretBox', () => {
  it('opens what it sealed, and seals the same plaintext differently each time', () => {
    const box = new SecretBox(KEY);
    const first = box.seal('whsec_plaintext_secret', 'con_1');
    const second = box.seal('whsec_plaintext_secret', 'con_1');
    assert.match(first, /^v1:[^:]+:[^:]+:[^:]+$/);
    assert.ok(!first.includes('whsec_plaintext_secret'));
    assert.notEqual(first, second, 'a fresh IV per seal');
    assert.equal(box.open(first, 'con_1'), 'whsec_plaintext_secret');
    assert.equal(box.open(second, 'con_1'), 'whsec_plaintext_secret');
  });

  it('round-trips unicode and an empty string', () => {
    const box = new SecretBox(KEY);
    assert.equal(box.open(box.seal('clé-🔑', 'ctx'), 'ctx'), 'clé-🔑');
    assert.equal(box.open(box.seal('', 'ctx'), 'ctx'), '');
  });

  it('detects tampering with the data, the tag or the IV', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('a signing secret', 'con_1');
    const parts = sealed.split(':');
    const flip = (text: string): string => {
      const bytes = Buffer.from(text, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      return bytes.toString('base64');
    };
    for (const index of [1, 2, 3]) {
      const tampered = parts.map((part, i) => (i === index ? flip(part) : part)).join(':');
      assert.throws(() => box.open(tampered, 'con_1'), `tampering with part ${index} is detected`);
    }
  });

  it('refuses another context, another key and an unknown format', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('a signing secret', 'con_1');
    assert.throws(() => box.open(sealed, 'con_2'));
    assert.throws(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed, 'con_1'));
    assert.throws(() => box.open('v2:a:b:c', 'con_1'), /Unrecognised secret ciphertext format/);
    assert.throws(() => box.open('not a ciphertext', 'con_1'), /Unrecognised/);
  });

  it('accepts a 32-byte key as hex or base64 text and nothing shorter', () => {
    const hex = SecretBox.fromText(KEY.toString('hex'));
    const base64 = SecretBox.fromText(` ${KEY.toString('base64')}\n`);
    assert.equal(base64.open(hex.seal('s', 'c'), 'c'), 's');
    const generated = SecretBox.generateKeyText();
    assert.equal(Buffer.from(generated, 'base64').length, 32);
    assert.throws(() => new SecretBox(Buffer.alloc(16)), /must be 32 bytes; got 16/);
    assert.throws(() => SecretBox.fromText('too-short'), /must be 32 bytes/);
  });
});
