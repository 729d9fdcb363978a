import { open, readFile, rm } from 'node:fs/promises';
import { ConfigError } from '../config.ts';

/** True while a process with this pid exists (on this machine). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive claim on the embedded data directory: PGlite is one process's database, and a second
 * process opening the same files would corrupt them. A lock left by a process that died (kill -9) is
 * taken over. Returns the release function.
 */
export async function lockDataDir(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new ConfigError(
          `Another Sluice (pid ${holder}) is using this data directory (${path}). Stop it, or set SLUICE_DATA_DIR to another directory.`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new ConfigError(`Could not lock the data directory (${path}); another process keeps taking it.`);
}
