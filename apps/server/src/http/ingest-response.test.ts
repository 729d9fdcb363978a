import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection, DeadLetter } from '@sluice/core';
import { refused } from '@sluice/receive';
import { outcomeReply } from './ingest-response.ts';

const connection = { id: 'con_1', tenant_id: 'ten_1' } as Connection;

describe('outcomeReply', () => {
  it('answers a committed delivery 200 with per-element results and counts', () => {
    const answer = outcomeReply({
      kind: 'ingested',
      connection,
      results: [
        { index: 0, status: 'accepted', event_id: 'e1' },
        { index: 1, status: 'duplicate', event_id: 'e0' },
      ],
    });
    assert.ok(answer.status === 200);
    assert.equal(answer.body['accepted'], 1);
    assert.equal(answer.body['duplicates'], 1);
    assert.equal(answer.body['connection_id'], 'con_1');
  });

  it('answers a dead-lettered delivery 202 with the failure, and no error code', () => {
    const answer = outcomeReply({
      kind: 'dead_lettered',
      connection,
      deadLetter: { id: 'dlq_1' } as DeadLetter,
      failure: { stage: 'ingest', message: 'Emission 2: undeclared', rule: 'declared', index: 2, code: 'x' },
    });
    assert.ok(answer.status === 202);
    assert.deepEqual(answer.body, {
      status: 'dead_lettered',
      connection_id: 'con_1',
      dead_letter_id: 'dlq_1',
      failure: { stage: 'ingest', message: 'Emission 2: undeclared', rule: 'declared', index: 2 },
    });
    assert.equal('error' in answer.body, false);
  });

  it('turns each refusal into the error table status, with Retry-After where given', () => {
    const cases = [
      ['signature_invalid', 401],
      ['timestamp_stale', 401],
      ['webhook_replayed', 401],
      ['connection_not_found', 404],
      ['unsupported_media_type', 415],
      ['invalid_json', 400],
      ['quota_exceeded', 429],
    ] as const;
    for (const [code, status] of cases) {
      const answer = outcomeReply(refused(code, 'no', code === 'quota_exceeded' ? 3 : undefined));
      assert.ok(answer.status === 'error', code);
      assert.equal(answer.error.code, code);
      assert.equal(answer.error.status, status, code);
      assert.equal(answer.error.retryAfter, code === 'quota_exceeded' ? 3 : undefined);
    }
  });
});
