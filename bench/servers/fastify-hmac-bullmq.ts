import { createHmac, timingSafeEqual } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { benchSecret } from '../config.ts';

/**
 * Baseline: what a Node user builds without durability of their own — Fastify, a Shopify HMAC check over the
 * raw body, then BullMQ `queue.add` into Redis, and 202.
 */
const secret = benchSecret();
const connection = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });
const queue = new Queue(`bench-${process.pid}`, { connection });
const app = Fastify({ logger: false });
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
  done(null, body),
);

app.post('/webhooks/orders', async (request, reply) => {
  const raw = request.body as Buffer;
  const presented = Buffer.from(String(request.headers['x-shopify-hmac-sha256'] ?? ''), 'base64');
  const expected = createHmac('sha256', secret).update(raw).digest();
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return reply.status(401).send({ error: 'bad signature' });
  }
  const order = JSON.parse(raw.toString('utf8')) as { id: number };
  await queue.add('order', order, { jobId: `order:${order.id}:created`, removeOnComplete: true });
  return reply.status(202).send({ status: 'ok' });
});

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${new URL(address).port}\n`);
process.once('SIGTERM', async () => {
  await app.close();
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  connection.disconnect();
  process.exit(0);
});
