import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateApiKey, hashApiKey, isAdminKey } from './api-keys.ts';

describe('API keys', () => {
  it('are random slk_ keys of 256 bits, kept as their SHA-256 with a display prefix', () => {
    const { key, prefix, hash } = generateApiKey();
    assert.match(key, /^slk_[A-Za-z0-9_-]{43}$/);
    assert.equal(prefix, key.slice(0, 12));
    assert.equal(hash, createHash('sha256').update(key).digest('hex'));
    assert.equal(hashApiKey(key), hash);
    assert.notEqual(generateApiKey().key, key);
  });

  it('compares the admin key by digest, so keys of any length compare without throwing or matching', () => {
    const admin = 'admin-key-0123456789abcdef-0123456789';
    assert.equal(isAdminKey(admin, admin), true);
    for (const presented of ['', 'a', `${admin}x`, admin.slice(0, -1), admin.toUpperCase()]) {
      assert.equal(isAdminKey(presented, admin), false, JSON.stringify(presented));
    }
    assert.equal(isAdminKey(admin, null), false, 'no admin key configured: nothing is the admin');
  });
});
