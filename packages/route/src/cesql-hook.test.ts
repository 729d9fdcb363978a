import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cesqlHook } from './cesql-hook.ts';
import { compileCondition } from './compile-condition.ts';
import { envelopeFixture } from './testing/envelope-fixture.ts';

/** An envelope that came in as a CloudEvent with a subject and two extensions of its own. */
const arrived = envelopeFixture({
  source: 'cloudevents',
  dedupe_key: '/shops/eu-1:A-42',
  cloudevent: {
    specversion: '1.0',
    id: 'A-42',
    source: '/shops/eu-1',
    type: 'order.created',
    subject: 'x',
    time: '2026-06-11T11:03:02+02:00',
    extensions: { region: 'eu-west', attempt: 3, tenantid: 'ten_other' },
  },
});
const native = envelopeFixture();

function matcher(text: string): (envelope: typeof native) => boolean {
  const compiled = compileCondition({ sql: text }, { sql: cesqlHook });
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.problems.map((p) => p.message).join('\n'));
  return compiled.matches;
}

describe('cesqlHook', () => {
  it('sees the original CloudEvent’s subject, id, source, time and extensions', () => {
    for (const text of [
      "subject = 'x'",
      "region = 'eu-west'",
      'attempt = 3',
      "id = 'A-42' AND source = '/shops/eu-1'",
      "time = '2026-06-11T11:03:02+02:00'",
      "type LIKE 'order.%'",
    ]) {
      assert.equal(matcher(text)(arrived), true, text);
      assert.equal(matcher(text)(native), text.startsWith('type'), text);
    }
  });

  it('sees the tenant, the connection and the entity as extensions, the platform’s over the sender’s', () => {
    const text = "tenantid = 'ten_a' AND connectionid = 'con_a' AND entitykey = 'order:1'";
    assert.equal(matcher(text)(arrived), true);
    assert.equal(matcher(text)(native), true);
    assert.equal(matcher("tenantid = 'ten_other'")(arrived), false);
    assert.equal(matcher(`sluiceeventid = '${arrived.event_id}'`)(arrived), true);
  });

  it('sees an envelope’s own attributes when it did not come in as a CloudEvent', () => {
    assert.equal(matcher(`id = '${native.event_id}' AND subject = 'order:1'`)(native), true);
    assert.equal(matcher("source = '/sluice/tenants/ten_a/connections/con_a'")(native), true);
    assert.equal(matcher('EXISTS sluiceeventid')(native), false);
  });

  it('leaves the original attributes to JSON conditions too, under cloudevent', () => {
    const compiled = compileCondition({
      all: [
        { path: 'cloudevent.subject', op: 'eq', value: 'x' },
        { path: 'cloudevent.extensions.region', op: 'eq', value: 'eu-west' },
      ],
    });
    assert.ok(compiled.ok);
    assert.equal(compiled.matches(arrived), true);
    assert.equal(compiled.matches(native), false);
  });

  it('reports a text that does not parse as sql_invalid', () => {
    const compiled = compileCondition({ sql: "subject = 'x" }, { sql: cesqlHook });
    assert.ok(!compiled.ok);
    assert.equal(compiled.problems[0]?.rule, 'sql_invalid');
  });
});
