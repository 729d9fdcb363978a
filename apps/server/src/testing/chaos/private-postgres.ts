import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PostgreSQL cluster of one scenario's own, on its own loopback port, that it may stop and start. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** Stops the server at once (`pg_ctl -m immediate`: no checkpoint, as a crash would). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory, once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's `bin` directory (Debian layout), or null when none is installed. */
export async function postgresBinDir(): Promise<string | null> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? null : join(root, newest, 'bin');
}

/**
 * Makes a fresh cluster with `initdb` in a temporary directory and starts it on `port` (random if not
 * given), trusting loopback. PostgreSQL refuses to run as root; as root, the cluster's files belong to the
 * `postgres` system user and its commands run as that user through `runuser`.
 */
export async function startPrivatePostgres(options: { port?: number } = {}): Promise<PrivatePostgres> {
  const bin = await postgresBinDir();
  if (bin === null) throw new Error('no PostgreSQL installed under /usr/lib/postgresql');
  const port = options.port ?? 30_000 + Math.floor(Math.random() * 20_000);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-chaos-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (command: string, args: ReadonlyArray<string>) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args])
      : run(join(bin, command), [...args]);
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const start = async () => {
    await pg('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
  };
  const stop = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
