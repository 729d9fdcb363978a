import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, it } from 'node:test';
import { guardedLookup, type Resolver, resolveChecked, TargetRefusedError } from './guarded-lookup.ts';

const strict = { allowPrivate: false };

function resolver(answers: Record<string, LookupAddress[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const found = answers[hostname];
    if (found === undefined) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      throw error;
    }
    return found;
  };
  return Object.assign(resolve, { calls });
}

const DNS = {
  'public.test': [{ address: '93.184.216.34', family: 4 }],
  'dual.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1::1', family: 6 },
  ],
  'rebind.test': [{ address: '127.0.0.1', family: 4 }],
  'mixed.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '10.0.0.7', family: 4 },
  ],
  'mapped.test': [{ address: '::ffff:192.168.0.1', family: 6 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
};

function lookupOnce(
  lookup: LookupFunction,
  hostname: string,
  options: { all?: boolean; family?: number },
): Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number | undefined }> {
  return new Promise((resolve) =>
    lookup(hostname, options, (error, address, family) => resolve({ error, address, family })),
  );
}

describe('resolveChecked', () => {
  it('passes every address of a public name', async () => {
    const decision = await resolveChecked('dual.test', 0, resolver(DNS), strict);
    assert.ok(decision.ok);
    assert.equal(decision.addresses.length, 2);
  });

  it('refuses a name when any of its addresses is refused', async () => {
    for (const name of ['rebind.test', 'mixed.test', 'mapped.test', 'metadata.test']) {
      const decision = await resolveChecked(name, 0, resolver(DNS), strict);
      assert.equal(!decision.ok && decision.rule, 'address_not_allowed', name);
      assert.match(
        !decision.ok ? decision.message : '',
        new RegExp(`^${name.replace('.', '\\.')} resolves to`),
      );
    }
  });

  it('narrows to the family asked for', async () => {
    const decision = await resolveChecked('dual.test', 6, resolver(DNS), strict);
    assert.deepEqual(decision.ok && decision.addresses, [{ address: '2606:2800:220:1::1', family: 6 }]);
  });
});

describe('guardedLookup', () => {
  it('answers with the checked addresses, one or all as the socket asks, resolving once', async () => {
    const resolve = resolver(DNS);
    const lookup = guardedLookup(strict, resolve);
    const one = await lookupOnce(lookup, 'dual.test', {});
    assert.deepEqual([one.error, one.address, one.family], [null, '93.184.216.34', 4]);
    const all = await lookupOnce(lookup, 'dual.test', { all: true });
    assert.deepEqual(all.address, DNS['dual.test']);
    assert.deepEqual(resolve.calls, ['dual.test', 'dual.test']);
  });

  it('fails the connection with a TargetRefusedError for a name resolving to loopback', async () => {
    const result = await lookupOnce(guardedLookup(strict, resolver(DNS)), 'rebind.test', { all: true });
    assert.ok(result.error instanceof TargetRefusedError);
    assert.equal(result.error.refusal.rule, 'address_not_allowed');
    assert.match(result.error.message, /rebind\.test resolves to 127\.0\.0\.1 is a loopback address/);
  });

  it('lets a loopback name through when private targets are allowed', async () => {
    const result = await lookupOnce(guardedLookup({ allowPrivate: true }, resolver(DNS)), 'rebind.test', {});
    assert.deepEqual([result.error, result.address], [null, '127.0.0.1']);
  });

  it('passes resolver errors on, and ENOTFOUND when no address of the family exists', async () => {
    const lookup = guardedLookup(strict, resolver(DNS));
    assert.equal((await lookupOnce(lookup, 'missing.test', {})).error?.code, 'ENOTFOUND');
    assert.equal((await lookupOnce(lookup, 'public.test', { family: 6 })).error?.code, 'ENOTFOUND');
  });

  it('checks localhost through the system resolver', async () => {
    const result = await lookupOnce(guardedLookup(strict), 'localhost', { all: true });
    assert.ok(result.error instanceof TargetRefusedError, String(result.error));
  });
});
