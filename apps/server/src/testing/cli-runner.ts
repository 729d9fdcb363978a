import { execFile } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { childEnv } from './config.ts';

/** The `sluice` bin. */
export const BIN = new URL('../../bin/sluice.mjs', import.meta.url).pathname;

/** What one run of the `sluice` command came to. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `sluice` bin with `args` and this process's environment plus `env`, and resolves with its
 * exit code and output (a failing exit is a result, not a rejection). Killed after `timeoutMs`. `command`
 * runs another command line instead (the bin under script(1), on a terminal).
 */
export function runCli(
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 30_000,
  command: ReadonlyArray<string> = [process.execPath, BIN, ...args],
): Promise<CliRun> {
  const [file, ...rest] = command as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(
      file,
      rest,
      { env: childEnv(env), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Parses a run's stdout as JSON, failing with the output when it is not. */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** The JSON lines of a streaming command's stdout (`tail --json`, `listen --json`). */
export function jsonLines<T>(stdout: string): T[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/** A loopback port nothing listens on (taken, then freed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
