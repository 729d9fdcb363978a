import { execFile, execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small tmpfs of a test's own: a disk that can be filled and made read-only without touching others. */
export interface Tmpfs {
  readonly dir: string;
  /** Writes a filler file until the filesystem answers ENOSPC; answers the bytes written. */
  fill(): number;
  /** Removes the filler. */
  free(): Promise<void>;
  /**
   * Makes `path` (a directory on it) read-only: `mount -o remount,ro` of the whole filesystem when the
   * kernel allows it, else (it refuses, EBUSY, while a file is open for writing, as PGlite's always are) a
   * read-only bind mount over `path`, on which every new open for writing fails with EROFS. Answers which.
   */
  readOnly(path: string): Promise<'remount' | 'bind'>;
  /** Undoes `readOnly`. */
  writable(): Promise<void>;
  /** Unmounts everything (lazily: open files do not hold it up) and removes the mount point. */
  destroy(): Promise<void>;
}

/** Whether something is mounted on `dir` (it or a mount under it), as /proc/mounts says. */
async function mounted(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  return mounts.split('\n').some((line) => {
    const point = line.split(' ')[1];
    return point === dir || point?.startsWith(`${dir}/`) === true;
  });
}

/** Why a tmpfs cannot be mounted here (not root, no mount), or null when it can. */
export async function tmpfsUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = await mountTmpfs(1).catch((error: Error) => error);
  if (probe instanceof Error) return `mount -t tmpfs failed: ${probe.message.split('\n')[0]}`;
  await probe.destroy();
  return null;
}

/** Mounts a tmpfs of `sizeMb` on a new directory. */
export async function mountTmpfs(sizeMb: number): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // A run that ends before `destroy` (an exception, process.exit) still unmounts, lazily.
  const onExit = () => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // Already unmounted.
    }
  };
  process.once('exit', onExit);
  const filler = join(dir, 'filler');
  let readOnly: { kind: 'remount' | 'bind'; path: string } | null = null;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free: () => rm(filler, { force: true }),
    async readOnly(path) {
      try {
        await run('mount', ['-o', 'remount,ro', dir]);
        readOnly = { kind: 'remount', path };
      } catch {
        await run('mount', ['--bind', '-o', 'ro', path, path]);
        readOnly = { kind: 'bind', path };
      }
      return readOnly.kind;
    },
    async writable() {
      if (readOnly === null) return;
      if (readOnly.kind === 'remount') await run('mount', ['-o', 'remount,rw', dir]);
      else await run('umount', ['-l', readOnly.path]);
      readOnly = null;
    },
    async destroy() {
      if (readOnly?.kind === 'bind') await run('umount', ['-l', readOnly.path]).catch(() => {});
      readOnly = null;
      for (let attempt = 0; (await mounted(dir)) && attempt < 5; attempt++) {
        await run('umount', ['-l', dir]).catch(() => {});
      }
      if (await mounted(dir)) throw new Error(`could not unmount the tmpfs on ${dir}`);
      process.off('exit', onExit);
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
