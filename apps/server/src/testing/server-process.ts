import { type ChildProcess, spawn } from 'node:child_process';
import { createPostgresClient } from '@sluice/store';
import { childEnv } from './config.ts';

const MAIN = new URL('../../bin/server.mjs', import.meta.url).pathname;

/** Servers still running; a test that fails before it stops its server must not leave it behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A server started as its own process, once it listens. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Where it listens, as it printed. */
  readonly url: string;
  /** What it printed up to listening (the dev key, in dev mode). */
  readonly output: string;
  /** The last of what it printed since (up to 64 KiB): its warnings and errors, for a failure's report. */
  recent(): string;
}

/** How much of a server's later output `recent` keeps. */
const RECENT_BYTES = 64 * 1024;

/**
 * Starts `bin/server.mjs` as its own process on a free port, with this process's environment plus `env`, and
 * waits up to `timeoutMs` (30 s) for it to print where it listens; rejects with its output if it exits or is
 * slower.
 */
export function startServerProcess(
  env: Readonly<Record<string, string>>,
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: childEnv({ SLUICE_PORT: '0', SLUICE_LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Neither the process nor its pipes keep the test file alive: it ends when its tests do, and the exit
  // hook above kills what is left.
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.unref();
  for (const pipe of [child.stdout, child.stderr]) (pipe as unknown as { unref?: () => void })?.unref?.();
  return new Promise((resolve, reject) => {
    let output = '';
    let listening = false;
    let recent = '';
    const timer = setTimeout(() => {
      void databaseSessions(env['SLUICE_DATABASE_URL']).then((sessions) =>
        reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}${sessions}`)),
      );
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      if (listening) {
        recent = (recent + chunk.toString()).slice(-RECENT_BYTES);
        return;
      }
      output += chunk.toString();
      const match = /Sluice listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        listening = true;
        clearTimeout(timer);
        resolve({ child, url: match[1], output, recent: () => recent });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

/**
 * For a start that hangs in server mode: what the database's sessions are doing (a lock wait names itself
 * here), or nothing without a database URL.
 */
async function databaseSessions(url: string | undefined): Promise<string> {
  if (url === undefined) return '';
  const db = createPostgresClient({ connectionString: url, max: 1 });
  try {
    const rows = await db.query<Record<string, unknown>>(
      `SELECT pid, application_name, state, wait_event_type, wait_event, now() - xact_start AS in_transaction,
              left(query, 120) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND state IS DISTINCT FROM 'idle' ORDER BY xact_start`,
    );
    return `\ndatabase sessions not idle:\n${rows.map((row) => JSON.stringify(row)).join('\n')}`;
  } catch (error) {
    return `\n(the database's sessions could not be read: ${String(error)})`;
  } finally {
    await db.close();
  }
}

/** SIGKILLs a server process (a crash, as far as it can tell) and waits for it to be gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
