import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Resolver } from './guarded-lookup.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { selfSigned } from './testing/self-signed.ts';

const tls = selfSigned('hooks.test');
const toLoopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
const request = (url: string) => ({
  url,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{}'),
});

describe(
  'HttpDeliverer over TLS, through the guarded lookup',
  { skip: tls === null && 'openssl is not installed' },
  () => {
    let server: https.Server;
    let port = 0;
    let hosts: string[] = [];

    before(async () => {
      server = https.createServer({ cert: tls?.cert, key: tls?.key }, (incoming, response) => {
        hosts.push(incoming.headers.host ?? '');
        incoming.resume();
        incoming.on('end', () => response.writeHead(200).end('ok'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('verifies the certificate against the URL host name while connecting to the checked address', async () => {
      hosts = [];
      const deliverer = new HttpDeliverer({
        allowPrivate: true,
        resolve: toLoopback,
        tls: { ca: tls?.cert ?? '' },
      });
      try {
        const outcome = await deliverer.send(request(`https://hooks.test:${port}/in`));
        assert.equal(outcome.kind, 'delivered', JSON.stringify(outcome));
        assert.deepEqual(hosts, [`hooks.test:${port}`]);
      } finally {
        deliverer.close();
      }
    });

    it('fails, to be retried, when the certificate does not name the host', async () => {
      const other: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
      const deliverer = new HttpDeliverer({
        allowPrivate: true,
        resolve: other,
        tls: { ca: tls?.cert ?? '' },
      });
      try {
        const outcome = await deliverer.send(request(`https://elsewhere.test:${port}/in`));
        assert.equal(outcome.kind, 'retry');
        assert.match(outcome.kind === 'retry' ? outcome.error : '', /ERR_TLS_CERT_ALTNAME_INVALID/);
      } finally {
        deliverer.close();
      }
    });

    it('fails, to be retried, on a certificate it does not trust', async () => {
      const deliverer = new HttpDeliverer({ allowPrivate: true, resolve: toLoopback });
      try {
        const outcome = await deliverer.send(request(`https://hooks.test:${port}/in`));
        assert.equal(outcome.kind, 'retry');
        assert.match(outcome.kind === 'retry' ? outcome.error : '', /SELF_SIGNED|UNABLE_TO_VERIFY/);
      } finally {
        deliverer.close();
      }
    });

    it('refuses a name resolving to loopback over https too', async () => {
      const deliverer = new HttpDeliverer({
        allowPrivate: false,
        resolve: toLoopback,
        tls: { ca: tls?.cert ?? '' },
      });
      try {
        hosts = [];
        const outcome = await deliverer.send(request(`https://hooks.test:${port}/in`));
        assert.equal(outcome.kind === 'refused' && outcome.rule, 'address_not_allowed');
        assert.deepEqual(hosts, []);
      } finally {
        deliverer.close();
      }
    });
  },
);
