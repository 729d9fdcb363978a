import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The shared broker every MQTT test may use, with its own topic prefix. */
export const SHARED_BROKER_URL = 'mqtt://127.0.0.1:1883';

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

async function accepts(port: number): Promise<boolean> {
  const socket = tcpConnect(port, '127.0.0.1');
  try {
    await Promise.race([
      once(socket, 'connect'),
      sleep(500).then(() => Promise.reject(new Error('timeout'))),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/**
 * A private Mosquitto on its own loopback port, with persistence on in a temporary directory, so a test
 * may stop and start it (the sessions and their queued messages survive a graceful stop) without ever
 * touching the shared broker. Stopped for good by `close`, and when the test process exits.
 */
export class PrivateBroker {
  readonly port: number;
  readonly #dir: string;
  #process: ChildProcess | null = null;
  readonly #onExit = () => this.#process?.kill('SIGKILL');

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
    process.once('exit', this.#onExit);
  }

  static async start(): Promise<PrivateBroker> {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-mosquitto-'));
    // Started as root, Mosquitto drops to its own user, which must be able to write the persistence file.
    await chmod(dir, 0o777);
    const broker = new PrivateBroker(await freePort(), dir);
    await writeFile(
      join(dir, 'mosquitto.conf'),
      [
        `listener ${broker.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${dir}/`,
        'max_queued_messages 10000',
        `log_dest file ${dir}/mosquitto.log`,
        '',
      ].join('\n'),
    );
    await broker.resume();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts the broker (again) on the same port and persistence; resolves once it accepts connections. */
  async resume(): Promise<void> {
    const child = spawn('mosquitto', ['-c', join(this.#dir, 'mosquitto.conf')], { stdio: 'ignore' });
    child.unref();
    this.#process = child;
    for (let i = 0; i < 100; i += 1) {
      if (await accepts(this.port)) return;
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
      await sleep(50);
    }
    throw new Error(`mosquitto did not listen on ${this.port}`);
  }

  /** Stops the broker gracefully (SIGTERM): it writes its persistence file, as a restarting broker does. */
  async pause(): Promise<void> {
    const child = this.#process;
    this.#process = null;
    if (child === null || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  async close(): Promise<void> {
    await this.pause();
    process.off('exit', this.#onExit);
    await rm(this.#dir, { recursive: true, force: true });
  }
}
