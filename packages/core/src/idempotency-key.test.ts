import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkIdempotencyTemplate } from './idempotency-key.ts';

describe('idempotency-key templates', () => {
  it('accepts known placeholders and payload paths', () => {
    assert.deepEqual(checkIdempotencyTemplate('order-risk:{entity_key}:hold'), []);
    assert.deepEqual(checkIdempotencyTemplate('{tenant_id}/{payload.customer.id}/{event_type}'), []);
  });

  it('refuses unknown placeholders, unpaired braces and an empty template', () => {
    const [unknown] = checkIdempotencyTemplate('x:{entity}');
    assert.match(unknown ?? '', /\{entity\} is not a placeholder/);
    assert.equal(checkIdempotencyTemplate('x:{event_id').length, 1);
    assert.equal(checkIdempotencyTemplate('').length, 1);
  });
});
