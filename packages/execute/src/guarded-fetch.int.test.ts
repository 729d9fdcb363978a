import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { guardedFetch } from './guarded-fetch.ts';
import { type Resolver, TargetRefusedError } from './guarded-lookup.ts';

/** A resolver from a table. */
const resolver =
  (table: Record<string, LookupAddress[]>): Resolver =>
  async (hostname) => {
    const found = table[hostname];
    if (found === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };

const loopback = [{ address: '127.0.0.1', family: 4 }];
const metadata = [{ address: '169.254.169.254', family: 4 }];

describe('guardedFetch: poll sources behind the target guard', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  before(async () => {
    // /to?url=… redirects there; /loop redirects to itself; anything else answers JSON.
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://local');
      seen.push(url.pathname);
      const to = url.pathname === '/loop' ? '/loop' : url.searchParams.get('url');
      if (to !== null) {
        response.writeHead(302, { location: to });
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ path: url.pathname }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const refused = async (run: Promise<Response>, pattern: RegExp) => {
    const count = seen.length;
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof TargetRefusedError, String(error));
      assert.match(error.message, pattern);
      return true;
    });
    return seen.length - count;
  };

  it('refuses loopback by IP literal and by a name that resolves to it, sending nothing', async () => {
    const strict = guardedFetch({ allowPrivate: false, resolve: resolver({ 'api.test': loopback }) });
    const port = new URL(base).port;
    assert.equal(await refused(strict(`${base}/items`), /127\.0\.0\.1 is a loopback address/), 0);
    assert.equal(
      await refused(strict(`http://api.test:${port}/items`), /api\.test resolves to 127\.0\.0\.1/),
      0,
    );
    assert.equal(await refused(strict(`http://[::ffff:127.0.0.1]:${port}/`), /loopback/), 0);
    await assert.rejects(strict('file:///etc/passwd'), /must be http or https/);
  });

  it('follows a redirect only where the guard allows: never to a metadata address, by literal or by name', async () => {
    const local = guardedFetch({
      allowPrivate: true, // loopback admitted (the test server); metadata never
      resolve: resolver({ 'metadata.test': metadata, 'local.test': loopback }),
    });
    const ok = await local(`${base}/to?url=${encodeURIComponent('/final')}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { path: '/final' });
    const port = new URL(base).port;
    const viaName = await local(`http://local.test:${port}/named`);
    assert.deepEqual(await viaName.json(), { path: '/named' });
    for (const [target, pattern] of [
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a metadata address/],
      ['http://[::ffff:169.254.169.254]/', /metadata/],
      [`http://metadata.test:${port}/`, /metadata\.test resolves to 169\.254\.169\.254/],
    ] as const) {
      const hops = await refused(local(`${base}/to?url=${encodeURIComponent(target)}`), pattern);
      assert.equal(hops, 1, `only the first hop reached a server for ${target}`);
    }
  });

  it('stops after a bounded number of redirects', async () => {
    const local = guardedFetch({ allowPrivate: true, maxRedirects: 3 });
    await assert.rejects(local(`${base}/loop`), /more than 3 redirects/);
  });
});
