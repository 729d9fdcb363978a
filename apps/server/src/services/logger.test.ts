import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from './logger.ts';

const capture = () => {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
};

describe('createLogger', () => {
  it('writes JSON lines and redacts credentials, signature headers and secrets', () => {
    const { lines, stream } = capture();
    const log = createLogger({ logLevel: 'info', logPretty: false }, stream);
    log.info(
      {
        req: {
          headers: {
            authorization: 'Bearer slk_leaked_key',
            'x-shopify-hmac-sha256': 'hmac-value',
            'webhook-signature': 'v1,signed-value',
            'stripe-signature': 't=1,v1=stripe-value',
            'content-type': 'application/json',
          },
        },
        connection: { secret: 'shpss_leaked_secret', name: 'kept' },
        secret: 'whsec_leaked',
      },
      'a request',
    );
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, Record<string, unknown>>;
    for (const leaked of ['slk_leaked_key', 'hmac-value', 'signed-value', 'stripe-value', 'leaked']) {
      assert.doesNotMatch(lines[0] ?? '', new RegExp(leaked));
    }
    const headers = (line['req'] as { headers: Record<string, string> }).headers;
    assert.equal(headers['authorization'], '[Redacted]');
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(line['connection']?.['name'], 'kept');
  });

  it('carries the bindings of a stage child logger on each line', () => {
    const { lines, stream } = capture();
    const log = createLogger({ logLevel: 'debug', logPretty: false }, stream).child({ stage: 'execute' });
    log.debug({ job_id: 'job_1', event_id: 'e', trace_id: 't', tenant_id: 'tnt' }, 'job succeeded');
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    assert.deepEqual(
      [line['stage'], line['job_id'], line['event_id'], line['trace_id'], line['tenant_id'], line['msg']],
      ['execute', 'job_1', 'e', 't', 'tnt', 'job succeeded'],
    );
  });
});
