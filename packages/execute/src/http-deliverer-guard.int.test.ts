import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import type { LookupAddress } from 'node:dns';
import { after, before, describe, it } from 'node:test';
import type { Resolver } from './guarded-lookup.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { answer, startReceiver, type TestReceiver } from './testing/receiver.ts';

const body = Buffer.from('{}');
const headers = { 'content-type': 'application/json' };

/** A resolver from a table, counting its lookups. */
function resolver(table: Record<string, LookupAddress[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  return Object.assign(
    async (hostname: string) => {
      calls.push(hostname);
      const found = table[hostname];
      if (found === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return found;
    },
    { calls },
  );
}

describe('HttpDeliverer: the target guard on real connections', () => {
  let receiver: TestReceiver;
  const loopbackName = { 'hooks.test': [{ address: '127.0.0.1', family: 4 }] };

  before(async () => {
    receiver = await startReceiver(answer(204));
  });
  after(() => receiver.close());

  async function refusedWithoutSending(deliverer: HttpDeliverer, url: string) {
    const count = receiver.requests.length;
    try {
      const outcome = await deliverer.send({ url, headers, body });
      assert.equal(outcome.kind, 'refused', `${url}: ${JSON.stringify(outcome)}`);
      assert.equal(receiver.requests.length, count, `${url} reached the receiver`);
      return outcome;
    } finally {
      deliverer.close();
    }
  }

  it('refuses loopback and IPv6 loopback literals unless private targets are allowed', async () => {
    for (const url of [
      `${receiver.origin}/hook`,
      `http://[::1]:${receiver.port}/hook`,
      `http://[::ffff:127.0.0.1]:${receiver.port}/hook`,
      `http://2130706433:${receiver.port}/hook`,
    ]) {
      const outcome = await refusedWithoutSending(new HttpDeliverer({ allowPrivate: false }), url);
      assert.equal(outcome.kind === 'refused' && outcome.rule, 'address_not_allowed');
    }
    const allowed = new HttpDeliverer({ allowPrivate: true });
    assert.equal((await allowed.send({ url: `${receiver.origin}/hook`, headers, body })).kind, 'delivered');
    allowed.close();
  });

  it('refuses localhost, which the system resolver answers with loopback', async () => {
    const outcome = await refusedWithoutSending(
      new HttpDeliverer({ allowPrivate: false }),
      `http://localhost:${receiver.port}/hook`,
    );
    assert.match(
      outcome.kind === 'refused' ? outcome.error : '',
      /^localhost resolves to .* is a loopback address/,
    );
  });

  it('refuses a DNS name that resolves to 127.0.0.1, and connects to it when allowed, resolving once', async () => {
    const strict = resolver(loopbackName);
    await refusedWithoutSending(
      new HttpDeliverer({ allowPrivate: false, resolve: strict }),
      `http://hooks.test:${receiver.port}/hook`,
    );
    assert.deepEqual(strict.calls, ['hooks.test']);

    const open = resolver(loopbackName);
    const deliverer = new HttpDeliverer({ allowPrivate: true, resolve: open });
    const count = receiver.requests.length;
    const outcome = await deliverer.send({ url: `http://hooks.test:${receiver.port}/hook`, headers, body });
    deliverer.close();
    assert.equal(outcome.kind, 'delivered');
    assert.equal(receiver.requests[count]?.headers['host'], `hooks.test:${receiver.port}`);
    assert.deepEqual(open.calls, ['hooks.test']);
  });

  it('refuses a name with one private address among public ones', async () => {
    const mixed = resolver({
      'mixed.test': [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    await refusedWithoutSending(
      new HttpDeliverer({ allowPrivate: false, resolve: mixed }),
      `http://mixed.test:${receiver.port}/hook`,
    );
  });

  it('connects to the address it checked, not to a second answer (no rebinding between check and connect)', async () => {
    // A resolver that would answer differently the second time: only one lookup is ever made per connection.
    let answers = 0;
    const rebinding: Resolver = async () => {
      answers += 1;
      return answers === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }];
    };
    const deliverer = new HttpDeliverer({ allowPrivate: true, resolve: rebinding });
    const outcome = await deliverer.send({ url: `http://rebind.test:${receiver.port}/hook`, headers, body });
    deliverer.close();
    assert.equal(outcome.kind, 'delivered');
    assert.equal(answers, 1);
  });

  it('refuses URLs that are not http(s) or carry credentials', async () => {
    for (const [url, rule] of [
      [`ftp://127.0.0.1:${receiver.port}/`, 'url_scheme'],
      [`http://user:secret@127.0.0.1:${receiver.port}/`, 'url_credentials'],
      ['http://', 'url_invalid'],
    ] as const) {
      const outcome = await refusedWithoutSending(new HttpDeliverer({ allowPrivate: true }), url);
      assert.equal(outcome.kind === 'refused' && outcome.rule, rule, url);
    }
  });

  it('never follows a redirect towards an internal address', async () => {
    const internal = await startReceiver(answer(200));
    receiver.handle(answer(302, { location: `${internal.origin}/admin` }));
    const deliverer = new HttpDeliverer({ allowPrivate: true });
    try {
      const outcome = await deliverer.send({ url: `${receiver.origin}/hook`, headers, body });
      assert.equal(outcome.kind === 'retry' && outcome.status, 302);
      assert.equal(internal.requests.length, 0);
    } finally {
      deliverer.close();
      receiver.handle(answer(204));
      await internal.close();
    }
  });
});
