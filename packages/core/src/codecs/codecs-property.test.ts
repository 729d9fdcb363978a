import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Envelope } from '../envelope.ts';
import { EVENT_TYPE_PATTERN, SOURCE_PATTERN, STREAM_KEY_PATTERN } from '../naming.ts';
import { cloudEventToEnvelope, envelopeToCloudEvent } from './cloudevents.ts';
import { decodeHttp, encodeBatch, encodeBinary, encodeStructured } from './cloudevents-http.ts';
import { decodeHeaderValue, encodeHeaderValue } from './header-value-encoding.ts';
import { fromIntegrationEvent, toIntegrationEvent } from './integration-event.ts';

/** Round trips of the codecs over arbitrary envelopes: what goes out comes back equal. Bounded runs. */
const RUNS = { numRuns: 150 };

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const instant = fc
  .date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** JSON as it travels: values JSON.parse gives back (no -0, no undefined). */
const jsonValue = fc.json({ maxDepth: 3, noUnicodeString: false }).map((json) => JSON.parse(json) as unknown);
const payload = fc.dictionary(
  fc.string({ maxLength: 10 }).filter((k) => k !== '__proto__'),
  jsonValue,
  { maxKeys: 6, noNullPrototype: true },
);
const entity = fc.record({ kind: text, id: text }, { noNullPrototype: true });

const envelope: fc.Arbitrary<Envelope> = fc.record(
  {
    event_id: fc.uuid({ version: 7 }),
    reseller_id: nullable(text),
    tenant_id: text,
    workspace_id: nullable(text),
    connection_id: text,
    source: fc.stringMatching(SOURCE_PATTERN),
    event_type: fc.stringMatching(EVENT_TYPE_PATTERN),
    stream: fc.stringMatching(STREAM_KEY_PATTERN),
    dedupe_key: text,
    correlation_id: text,
    causation_id: nullable(fc.uuid({ version: 7 })),
    trace_id: fc.stringMatching(/^[0-9a-f]{32}$/),
    occurred_at: nullable(instant),
    received_at: instant,
    mode: fc.constantFrom('live' as const, 'quiet' as const),
    schema_version: fc.constant('1'),
    payload: fc
      .tuple(payload, fc.option(entity, { nil: undefined }))
      .map(([body, e]) => (e === undefined ? body : { ...body, entity: e })),
    agent_id: nullable(text),
    session_id: nullable(text),
    cloudevent: fc.constant(null),
  },
  { noNullPrototype: true },
) as fc.Arbitrary<Envelope>;

describe('codecs: round trips over arbitrary envelopes', () => {
  it('envelope → CloudEvent → envelope is the identity', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        assert.deepEqual(cloudEventToEnvelope(envelopeToCloudEvent(e)), e);
      }),
      RUNS,
    );
  });

  it('envelope → integration event → envelope is the identity', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        assert.deepEqual(fromIntegrationEvent(toIntegrationEvent(e)), e);
      }),
      RUNS,
    );
  });

  it('a CloudEvent sent in binary, structured or batch mode over HTTP decodes to the same event', () => {
    fc.assert(
      fc.property(fc.array(envelope, { minLength: 1, maxLength: 3 }), (envelopes) => {
        const events = envelopes.map(envelopeToCloudEvent);
        const [first] = events;
        if (first === undefined) return;
        for (const message of [encodeBinary(first), encodeStructured(first)]) {
          const decoded = decodeHttp(message.headers, message.body);
          assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
          assert.deepEqual(decoded.value.events, [first]);
        }
        const batch = encodeBatch(events);
        const decoded = decodeHttp(batch.headers, batch.body);
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
        assert.deepEqual(decoded.value.events, events);
      }),
      { numRuns: 80 },
    );
  });

  it('a header value decodes to the text that was encoded, whatever its characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        assert.equal(decodeHeaderValue(encodeHeaderValue(value)), value);
      }),
      { numRuns: 300 },
    );
  });
});
