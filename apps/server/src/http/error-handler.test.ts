import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPgliteClient } from '@sluice/store';
import { toSluiceError } from './error-handler.ts';

describe('toSluiceError', () => {
  it('answers 400 for a value the database refuses as data (SQLSTATE class 22)', async () => {
    const db = await createPgliteClient();
    try {
      const refused = await db.query('SELECT $1::int AS n', ['not a number']).then(
        () => assert.fail('the cast should fail'),
        (error: unknown) => error,
      );
      const mapped = toSluiceError(refused);
      assert.equal(mapped.code, 'invalid_request');
      assert.equal(mapped.status, 400);
      assert.match(mapped.message, /cannot keep/);
    } finally {
      await db.close();
    }
  });

  it('keeps any other unexpected error internal, without its message', () => {
    const mapped = toSluiceError(new TypeError('x is undefined'));
    assert.equal(mapped.code, 'internal');
    assert.equal(mapped.status, 500);
    assert.equal(mapped.message, 'Internal error.');
  });
});
