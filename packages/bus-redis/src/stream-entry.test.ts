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

  it('carries the trace context and the relay time when the message has them', () => {
    const traced: BusMessage = {
      ...message,
      attributes: {
        ...message.attributes,
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        relayed_at: 1_700_000_000_123,
      },
    };
    assert.deepEqual(decodeEntry('1-0', encodeEntry(traced), false), {
      ...traced,
      id: '1-0',
      redelivered: false,
    });
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
