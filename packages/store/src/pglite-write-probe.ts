import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** PGlite's WAL segment size: a directory that cannot take this much cannot take the next segment either. */
const PROBE_BYTES = 1024 * 1024;
const PROBE_FILE = '.sluice-write-probe';

/**
 * Writes, syncs and removes a WAL segment's worth of bytes in `dir`; rejects with the system's error
 * (ENOSPC, EROFS, EACCES, ...) when the directory cannot take it.
 */
export async function probeDirectoryWrite(dir: string): Promise<void> {
  const path = join(dir, PROBE_FILE);
  try {
    const file = await open(path, 'w');
    try {
      await file.write(Buffer.alloc(PROBE_BYTES));
      await file.datasync();
    } finally {
      await file.close();
    }
  } finally {
    await rm(path, { force: true }).catch(() => {});
  }
}
