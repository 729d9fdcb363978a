import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage } from '@sluice/core';
import { decodeEntry, encodeEntry, parseReadReply } from './stream-entry.ts';

const message: BusMessage = {
  key: 'con_1',
  attributes: {
    event_id: 'evt-1',
    event_type: 'order.created',
    tenant_id: 'tnt_1',
    connection_id: 'con_1',
    trace_id: 'trace',
    correlation_id: 'corr',
    schema_version: '1',
    mode: 'quiet',
    origin: 'schedule',
    position: '00000000000000000042.00000000000000000007',
  },
  body: '{"a":1}',
};

describe('stream entries', () => {
  it('round-trips a message through its field list, the body last', () => {
    const fields = encodeEntry(message);
    assert.equal(fields.at(-2), 'body');
    assert.deepEqual(decodeEntry('1-0', fields, true), { ...message, id: '1-0', redelivered: true });
  });

  it('reads an entry without fields as empty and live, rather than failing the partition', () => {
    const decoded = decodeEntry('1-0', ['key'], false);
    assert.equal(decoded.key, '');
    assert.equal(decoded.attributes.mode, 'live');
  });

  it('parses an XREADGROUP reply by stream, keeping trimmed entries as null fields', () => {
    const parsed = parseReadReply([
      [
        's:0',
        [
          ['1-0', ['key', 'k']],
          ['2-0', null],
        ],
      ],
      ['s:1', []],
    ]);
    assert.deepEqual(parsed.get('s:0'), [
      { id: '1-0', fields: ['key', 'k'] },
      { id: '2-0', fields: null },
    ]);
    assert.deepEqual(parsed.get('s:1'), []);
    assert.equal(parseReadReply(null).size, 0);
  });
});
