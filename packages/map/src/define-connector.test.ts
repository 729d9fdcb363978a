import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorSpec, PollHandler, StreamDeclaration } from '@sluice/core';
import { isSluiceError } from '@sluice/core';
import { defineConnector } from './define-connector.ts';
import type { DefinitionProblem } from './definition-problem.ts';

const noPoll: PollHandler = async () => ({ emissions: [], cursor: null, hasMore: false });
const noMap = () => null;

/** A valid `streams`-style spec to break one rule at a time. */
const eventsStream: StreamDeclaration = {
  key: 'events',
  mode: 'webhook',
  events: ['order.created', 'order.updated'],
};
const customersStream: StreamDeclaration = {
  key: 'customers',
  mode: 'poll',
  schedule: '*/15 * * * *',
  events: ['customer.synced'],
};
const streamsSpec = {
  id: 'cn-shop',
  streams: [eventsStream, customersStream],
  webhook: { verify: { scheme: 'shopify' } },
  map: noMap,
  poll: { customers: noPoll },
} satisfies ConnectorSpec;

/** Asserts that defining `spec` fails on `rule`, with a message naming the connector and the stream. */
function assertRejected(spec: unknown, rule: string, stream: string | null, connector = 'cn-shop'): void {
  assert.throws(
    () => defineConnector(spec as ConnectorSpec),
    (error: unknown) => {
      assert.ok(isSluiceError(error), 'a SluiceError');
      assert.equal(error.code, 'connector_definition_invalid');
      const problems = (error.details as { problems: DefinitionProblem[] }).problems;
      const found = problems.find((p) => p.rule === rule);
      assert.ok(found, `rule ${rule} among ${problems.map((p) => p.rule).join(', ')}`);
      assert.equal(found.stream, stream);
      assert.ok(error.message.includes(found.message));
      assert.ok(found.message.startsWith(`connector ${JSON.stringify(connector)}`), found.message);
      if (stream !== null)
        assert.ok(found.message.includes(`stream ${JSON.stringify(stream)}`), found.message);
      return true;
    },
  );
}

describe('defineConnector: a valid definition', () => {
  it('normalizes a streams-style spec, fills the defaults and resolves the event-type catalog', () => {
    const connector = defineConnector(streamsSpec);
    assert.equal(connector.id, 'cn-shop');
    assert.equal(connector.version, '0.0.0');
    assert.equal(connector.description, '');
    assert.deepEqual(
      connector.streams.map((s) => [s.key, s.mode]),
      [
        ['events', 'webhook'],
        ['customers', 'poll'],
      ],
    );
    assert.equal(connector.eventTypes.get('order.updated'), 'events');
    assert.equal(connector.eventTypes.get('customer.synced'), 'customers');
    assert.deepEqual(connector.webhook, { verify: { scheme: 'shopify' }, cloudevents: false });
    assert.equal(connector.map, noMap);
    assert.equal(connector.poll['customers'], noPoll);
    assert.equal(connector.probe, null);
  });

  it('turns each events-style entry into one stream keyed by the event type with dots as underscores', () => {
    const connector = defineConnector({
      id: 'cn-magento',
      version: '1.2.0',
      description: 'Magento orders',
      events: {
        'order.created': { kind: 'webhook', topic: 'orders/create' },
        'inventory.level': { kind: 'poll' },
      },
      webhook: { verify: { scheme: 'hmac-sha256', header: 'x-magento-signature' } },
      map: noMap,
      poll: { inventory_level: noPoll },
    });
    assert.deepEqual(connector.streams, [
      { key: 'order_created', mode: 'webhook', events: ['order.created'], topic: 'orders/create' },
      { key: 'inventory_level', mode: 'poll', events: ['inventory.level'] },
    ]);
    assert.deepEqual(
      [...connector.eventTypes],
      [
        ['order.created', 'order_created'],
        ['inventory.level', 'inventory_level'],
      ],
    );
    assert.equal(connector.version, '1.2.0');
    assert.equal(connector.description, 'Magento orders');
  });

  it('allows a poll stream without a schedule (backfill only)', () => {
    const connector = defineConnector({
      id: 'history',
      streams: [{ key: 'orders', mode: 'poll', events: ['order.imported'] }],
      poll: { orders: noPoll },
    });
    assert.equal(connector.streams[0]?.schedule, undefined);
    assert.equal(connector.webhook, null);
  });

  it('allows emit streams with neither verification, mapping nor poll handler', () => {
    const connector = defineConnector({
      id: 'operator-output',
      streams: [{ key: 'plans', mode: 'emit', events: ['plan.proposed'] }],
    });
    assert.equal(connector.eventTypes.get('plan.proposed'), 'plans');
  });

  it('is frozen, down to the stream list, each stream, the poll record and the event-type catalog', () => {
    const connector = defineConnector(streamsSpec);
    assert.ok(Object.isFrozen(connector));
    assert.ok(Object.isFrozen(connector.streams));
    assert.ok(Object.isFrozen(connector.streams[0]));
    assert.ok(Object.isFrozen(connector.streams[0]?.events));
    assert.ok(Object.isFrozen(connector.poll));
    assert.ok(Object.isFrozen(connector.webhook?.verify));
    const catalog = connector.eventTypes as Map<string, string>;
    assert.throws(() => catalog.set('order.deleted', 'events'), TypeError);
    assert.throws(() => catalog.delete('order.created'), TypeError);
    assert.throws(() => catalog.clear(), TypeError);
    assert.equal(catalog.size, 3);
  });

  it('does not share arrays with the spec it was given', () => {
    const events = ['thing.happened'];
    const connector = defineConnector({ id: 'x', streams: [{ key: 'things', mode: 'emit', events }] });
    events.push('thing.vanished');
    assert.deepEqual(connector.streams[0]?.events, ['thing.happened']);
  });
});

describe('defineConnector: the rules', () => {
  it('rejects a connector id outside SOURCE_PATTERN', () => {
    assertRejected({ ...streamsSpec, id: 'CN Shop' }, 'connector_id_format', null, 'CN Shop');
  });

  it("rejects a connector id with ':'", () => {
    assertRejected({ ...streamsSpec, id: 'operator:jenny' }, 'connector_id_format', null, 'operator:jenny');
  });

  it('rejects a definition with both events and streams', () => {
    assertRejected(
      { ...streamsSpec, events: { 'order.created': { kind: 'webhook' } } },
      'streams_declared',
      null,
    );
  });

  it('rejects a definition with neither events nor streams', () => {
    const { streams: _streams, poll: _poll, ...rest } = streamsSpec;
    assertRejected(rest, 'streams_declared', null);
  });

  it('rejects a stream key that is not lower_snake, with the documented message', () => {
    const spec = {
      ...streamsSpec,
      streams: [{ key: 'Orders', mode: 'webhook', events: ['order.created'] }],
      poll: {},
    };
    assert.throws(() => defineConnector(spec as ConnectorSpec), {
      message: 'connector "cn-shop" stream "Orders": stream keys are lower_snake (e.g. "order_events")',
    });
  });

  it('rejects a stream key declared twice', () => {
    assertRejected(
      {
        ...streamsSpec,
        streams: [...streamsSpec.streams, { key: 'events', mode: 'webhook', events: ['refund.created'] }],
      },
      'stream_key_unique',
      'events',
    );
  });

  it('rejects two events-style types that derive the same stream key', () => {
    assertRejected(
      {
        id: 'cn-shop',
        events: { 'order_line.created': { kind: 'emit' }, 'order.line_created': { kind: 'emit' } },
      },
      'stream_key_unique',
      'order_line_created',
    );
  });

  it('rejects an event type that is not dotted noun.verb', () => {
    assertRejected(
      { ...streamsSpec, streams: [{ key: 'events', mode: 'webhook', events: ['OrderCreated'] }], poll: {} },
      'event_type_format',
      'events',
    );
  });

  it('rejects an events-style key that is not an event type, naming the derived stream', () => {
    assertRejected(
      { id: 'cn-shop', events: { Order: { kind: 'webhook' } }, webhook: streamsSpec.webhook, map: noMap },
      'event_type_format',
      'Order',
    );
  });

  it('rejects an event type declared by two streams', () => {
    assertRejected(
      {
        ...streamsSpec,
        streams: [
          { key: 'events', mode: 'webhook', events: ['customer.created'] },
          { key: 'customers', mode: 'poll', events: ['customer.created'] },
        ],
      },
      'event_type_unique',
      'customers',
    );
  });

  it('rejects a stream that declares no event types', () => {
    assertRejected(
      { ...streamsSpec, streams: [...streamsSpec.streams, { key: 'payouts', mode: 'webhook', events: [] }] },
      'stream_events_empty',
      'payouts',
    );
  });

  it('rejects an unknown mode', () => {
    assertRejected(
      { id: 'cn-shop', streams: [{ key: 'things', mode: 'push', events: ['thing.happened'] }] },
      'stream_mode',
      'things',
    );
  });

  it('rejects a malformed stream entry', () => {
    assertRejected({ id: 'cn-shop', streams: [{ mode: 'emit', events: ['a.b'] }] }, 'stream_shape', '#0');
  });

  it('rejects a poll stream without a handler', () => {
    assertRejected({ ...streamsSpec, poll: {} }, 'poll_handler_missing', 'customers');
  });

  it('rejects a poll handler that names no declared poll stream', () => {
    assertRejected(
      { ...streamsSpec, poll: { ...streamsSpec.poll, invoices: noPoll } },
      'poll_handler_unknown',
      'invoices',
    );
  });

  it('rejects a poll handler for a webhook stream', () => {
    assertRejected(
      { ...streamsSpec, poll: { ...streamsSpec.poll, events: noPoll } },
      'poll_handler_unknown',
      'events',
    );
  });

  it('rejects a poll handler that is not a function', () => {
    assertRejected({ ...streamsSpec, poll: { customers: 'fetch' } }, 'poll_handler_type', 'customers');
  });

  it('rejects a schedule on a webhook stream', () => {
    assertRejected(
      {
        ...streamsSpec,
        streams: [{ key: 'events', mode: 'webhook', schedule: '* * * * *', events: ['order.created'] }],
        poll: {},
      },
      'schedule_poll_only',
      'events',
    );
  });

  it('rejects a schedule on an events-style webhook entry', () => {
    assertRejected(
      {
        ...streamsSpec,
        streams: undefined,
        events: { 'order.created': { kind: 'webhook', schedule: '0 * * * *' } },
        poll: {},
      },
      'schedule_poll_only',
      'order_created',
    );
  });

  for (const schedule of ['every 15 minutes', '*/15 * * *', '*/15 * * * * *', '0 0 * * MON', '']) {
    it(`rejects the schedule ${JSON.stringify(schedule)}`, () => {
      assertRejected(
        {
          ...streamsSpec,
          streams: [eventsStream, { ...customersStream, schedule }],
        },
        'schedule_format',
        'customers',
      );
    });
  }

  it('accepts the cron shapes in use', () => {
    for (const schedule of ['*/15 * * * *', '0 3 * * 1-5', '5,35 0-23/2 1 * *']) {
      defineConnector({
        ...streamsSpec,
        streams: [eventsStream, { ...customersStream, schedule }],
      });
    }
  });

  it('rejects a webhook stream without webhook.verify', () => {
    const { webhook: _webhook, ...rest } = streamsSpec;
    assertRejected(rest, 'webhook_verify_missing', 'events');
  });

  it('rejects an unknown verification scheme', () => {
    assertRejected(
      { ...streamsSpec, webhook: { verify: { scheme: 'md5' } } },
      'webhook_verify_scheme',
      'events',
    );
  });

  it('rejects hmac-sha256 verification without a header', () => {
    assertRejected(
      { ...streamsSpec, webhook: { verify: { scheme: 'hmac-sha256' } } },
      'hmac_header_missing',
      'events',
    );
  });

  it('rejects a webhook stream without a mapping', () => {
    const { map: _map, ...rest } = streamsSpec;
    assertRejected(rest, 'map_missing', 'events');
  });

  it('rejects a mapping that is not a function', () => {
    assertRejected({ ...streamsSpec, map: { 'order.created': noMap } }, 'map_type', 'events');
  });

  it('reports every broken rule at once, the first in details', () => {
    try {
      defineConnector({
        id: 'cn-shop',
        streams: [
          { key: 'Orders', mode: 'webhook', events: ['order.created'] },
          { key: 'customers', mode: 'poll', events: ['customer.synced'] },
        ],
        map: noMap,
      });
      assert.fail('expected a definition error');
    } catch (error) {
      assert.ok(isSluiceError(error));
      const details = error.details as { rule: string; stream: string; problems: DefinitionProblem[] };
      assert.deepEqual(
        details.problems.map((p) => p.rule),
        ['stream_key_format', 'poll_handler_missing', 'webhook_verify_missing'],
      );
      assert.equal(details.rule, 'stream_key_format');
      assert.equal(details.stream, 'Orders');
      assert.equal(error.message.split('; ').length, 3);
    }
  });
});
