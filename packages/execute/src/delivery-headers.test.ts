import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReservedHeader, mergeHeaders, validateHeaders } from './delivery-headers.ts';

describe('validateHeaders', () => {
  it('accepts ordinary headers and no headers', () => {
    assert.deepEqual(validateHeaders(undefined), []);
    assert.deepEqual(validateHeaders({ 'X-Api-Key': 'abc', Authorization: 'Bearer t' }), []);
  });

  it('reports reserved names, bad names, bad values and non-strings, each with its path', () => {
    const problems = validateHeaders({
      'Webhook-Signature': 'v1,x',
      'webhook-anything': 'x',
      traceparent: 'x',
      'bad name': 'x',
      'X-Split': 'a\r\nInjected: yes',
      'X-Unicode': 'Grüße',
      'X-Number': 5,
    });
    assert.deepEqual(
      problems.map((p) => [p.path, p.rule]),
      [
        ['action.headers.Webhook-Signature', 'header_reserved'],
        ['action.headers.webhook-anything', 'header_reserved'],
        ['action.headers.traceparent', 'header_reserved'],
        ['action.headers.bad name', 'header_name'],
        ['action.headers.X-Split', 'header_value'],
        ['action.headers.X-Unicode', 'header_value'],
        ['action.headers.X-Number', 'value_type'],
      ],
    );
  });

  it('refuses a non-object and too many headers', () => {
    assert.equal(validateHeaders(['x'])[0]?.rule, 'value_type');
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-H${i}`, 'v']));
    assert.equal(validateHeaders(many)[0]?.rule, 'header_count');
  });
});

describe('mergeHeaders', () => {
  it('lowercases, drops reserved names, and lets the platform win', () => {
    assert.deepEqual(
      mergeHeaders({ 'X-A': '1', 'Content-Length': '0' }, { 'content-type': 'application/json' }),
      {
        'x-a': '1',
        'content-type': 'application/json',
      },
    );
    assert.equal(isReservedHeader('WEBHOOK-ID'), true);
    assert.equal(isReservedHeader('x-webhook-id'), false);
  });
});
