import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { CloudEventContextSchema } from '../envelope-schema.ts';
import { cloudEventContextOf, validateCloudEventContext } from './cloudevent-context-codec.ts';

const context = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/shops/eu-1',
  type: 'order.created',
  subject: 'orders/1',
  time: '2026-06-11T09:00:00Z',
  extensions: { region: 'eu', attempt: 2, urgent: false },
} as const;

describe('cloudEventContextOf', () => {
  it('keeps the named attributes that are set and every other attribute but data as an extension', () => {
    const { extensions, ...named } = context;
    const ce = { ...named, ...extensions, data: { a: 1 } };
    assert.deepEqual(cloudEventContextOf(ce), context);
    assert.equal(Value.Check(CloudEventContextSchema, context), true);
    const encoded = { ...named, datacontenttype: 'application/json', data_base64: 'e30=' };
    assert.deepEqual(cloudEventContextOf(encoded), {
      ...named,
      datacontenttype: 'application/json',
      extensions: {},
    });
  });
});

describe('validateCloudEventContext', () => {
  const problem = (value: unknown): string => {
    const checked = validateCloudEventContext(value);
    assert.ok(!checked.ok, 'expected a problem');
    assert.equal(checked.error.code, 'invalid_cloudevent');
    return String((checked.error.details as { attribute: string }).attribute);
  };

  it('accepts a valid context and drops null attributes', () => {
    assert.deepEqual(validateCloudEventContext(context), { ok: true, value: context });
    const nulled = { ...context, dataschema: null, extensions: { ...context.extensions, gone: null } };
    assert.deepEqual(validateCloudEventContext(nulled), { ok: true, value: context });
  });

  it('names the member or attribute at fault', () => {
    assert.equal(problem('nope'), '');
    assert.equal(problem({ ...context, region: 'eu' }), 'region');
    assert.equal(problem({ ...context, extensions: [] }), 'extensions');
    assert.equal(problem({ ...context, extensions: { id: 'x' } }), 'id');
    assert.equal(problem({ ...context, extensions: { Region: 'eu' } }), 'Region');
    assert.equal(problem({ ...context, extensions: { deep: { a: 1 } } }), 'deep');
    assert.equal(problem({ ...context, time: 'yesterday' }), 'time');
    assert.equal(problem({ ...context, specversion: '0.3' }), 'specversion');
    assert.equal(problem({ ...context, source: '' }), 'source');
  });
});
