import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { discardBody } from './refused-body.ts';

describe('discardBody', () => {
  let server: Server;
  let port: number;
  const outcomes: Array<(ended: boolean, elapsedMs: number) => void> = [];
  const sockets: Socket[] = [];

  before(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const started = Date.now();
      void discardBody(request, 1024, 150).then((ended) => {
        outcomes.shift()?.(ended, Date.now() - started);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Sends `head` and `body` on a raw socket; resolves with what `discardBody` made of it. */
  const outcomeOf = (head: string, body: string) =>
    new Promise<{ ended: boolean; elapsedMs: number }>((resolve) => {
      outcomes.push((ended, elapsedMs) => resolve({ ended, elapsedMs }));
      const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(`${head}\r\n\r\n${body}`));
      socket.on('error', () => {});
      sockets.push(socket);
    });

  it('reads a body within the bound to its end, with Content-Length or chunked', async () => {
    const plain = await outcomeOf('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000', 'a'.repeat(1000));
    assert.equal(plain.ended, true);
    const chunked = await outcomeOf(
      'POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked',
      `3e8\r\n${'a'.repeat(1000)}\r\n0\r\n\r\n`,
    );
    assert.equal(chunked.ended, true);
  });

  it('gives up on a body larger than the bound', async () => {
    const outcome = await outcomeOf(
      'POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked',
      `bb8\r\n${'a'.repeat(3000)}\r\n`,
    );
    assert.equal(outcome.ended, false);
    assert.ok(outcome.elapsedMs < 150, `gave up after ${outcome.elapsedMs} ms, not on the timer`);
  });

  it('gives up on a sender that stalls, once the time bound passes', async () => {
    const outcome = await outcomeOf('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000', 'a'.repeat(10));
    assert.equal(outcome.ended, false);
    assert.ok(outcome.elapsedMs >= 140, `gave up after ${outcome.elapsedMs} ms`);
  });
});
