import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';

/**
 * A redis-server of the test's own on a loopback port (so it may be flushed), without persistence; on
 * `port` when given (to start it again where its clients look for it), else a random one.
 */
export async function startRedisServer(
  options: { port?: number } = {},
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const port = options.port ?? 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (error) {
      probe.disconnect();
      if (attempt >= 50 || child.exitCode !== null)
        throw new Error(`redis-server did not start: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
