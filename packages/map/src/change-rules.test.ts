import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConnectorSpec, isSluiceError, type PollHandler } from '@sluice/core';
import { defineConnector } from './define-connector.ts';
import type { DefinitionProblem } from './definition-problem.ts';

const noPoll: PollHandler = async () => ({ emissions: [], cursor: null, hasMore: false });
const changes = { entity_kind: 'customer', id_field: 'id', event_prefix: 'customer' };
const spec = (stream: Record<string, unknown>): ConnectorSpec =>
  ({
    id: 'cn-crm',
    streams: [
      {
        key: 'customers',
        mode: 'poll',
        events: ['customer.created', 'customer.updated', 'customer.deleted'],
        changes,
        ...stream,
      },
    ],
    poll: { customers: noPoll },
  }) as unknown as ConnectorSpec;

function ruleOf(candidate: ConnectorSpec): string[] {
  try {
    defineConnector(candidate);
    return [];
  } catch (error) {
    assert.ok(isSluiceError(error));
    return (error.details as { problems: DefinitionProblem[] }).problems.map((p) => p.rule);
  }
}

describe('change detection in a stream declaration', () => {
  it('keeps a valid declaration, frozen, on the stream', () => {
    const connector = defineConnector(
      spec({ changes: { ...changes, ignore_fields: ['fetched_at'], snapshot: true } }),
    );
    const stream = connector.streams[0];
    assert.deepEqual(stream?.changes, { ...changes, ignore_fields: ['fetched_at'], snapshot: true });
    assert.ok(Object.isFrozen(stream?.changes));
    assert.ok(Object.isFrozen(stream?.changes?.ignore_fields));
  });

  it('is for poll streams only', () => {
    const webhook = {
      id: 'cn-crm',
      streams: [
        { key: 'events', mode: 'webhook', events: ['customer.created', 'customer.updated'], changes },
      ],
      webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
      map: () => null,
    } as unknown as ConnectorSpec;
    assert.deepEqual(ruleOf(webhook), ['changes_poll_only']);
  });

  it('rejects a malformed declaration', () => {
    assert.deepEqual(ruleOf(spec({ changes: { ...changes, id_field: '' } })), ['changes_shape']);
    assert.deepEqual(ruleOf(spec({ changes: { ...changes, ignore_fields: [1] } })), ['changes_shape']);
    assert.deepEqual(ruleOf(spec({ changes: { ...changes, snapshot: 'yes' } })), ['changes_shape']);
    assert.deepEqual(ruleOf(spec({ changes: { ...changes, ttl_ms: -1 } })), ['changes_shape']);
  });

  it('needs the events it will emit declared: .deleted only for a snapshot stream', () => {
    assert.deepEqual(ruleOf(spec({ events: ['customer.created', 'customer.updated'] })), []);
    assert.deepEqual(
      ruleOf(
        spec({ events: ['customer.created', 'customer.updated'], changes: { ...changes, snapshot: true } }),
      ),
      ['changes_events_undeclared'],
    );
    assert.deepEqual(ruleOf(spec({ events: ['customer.created'] })), ['changes_events_undeclared']);
  });
});
