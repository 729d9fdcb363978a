import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { childEnv, serverNodeFlags } from './config.ts';

/** A process under measurement: started from a script, ready once it prints the port it listens on. */
export interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

const LISTENING = /(?:listening (\d+)|Sluice listening on http:\/\/[^:]+:(\d+))/;

export function startServer(script: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [...serverNodeFlags(), script], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      const port = match?.[1] ?? match?.[2];
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({
        child,
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
}

/** The most resident memory a process has held (VmHWM), in MB; NaN once it has exited. */
export function peakRssMb(pid: number | undefined): number {
  return statusMb(pid, 'VmHWM');
}

/** The resident memory a process holds now (VmRSS), in MB; NaN once it has exited. */
export function rssMb(pid: number | undefined): number {
  return statusMb(pid, 'VmRSS');
}

/** CPU seconds a process has used (user + system, its threads included); NaN once it has exited. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds of a process's threads by role: its main thread (the HTTP event loop), its worker threads
 * (`node:worker_threads`, such as the embedded database's; Node names them `WorkerThread`), and the rest
 * (V8's GC and compiler threads, libuv's pool); NaN once it has exited.
 */
export function threadCpuSeconds(pid: number | undefined): { main: number; workers: number; rest: number } {
  const none = { main: Number.NaN, workers: Number.NaN, rest: Number.NaN };
  if (pid === undefined) return none;
  try {
    const sums = { main: 0, workers: 0, rest: 0 };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const task = `/proc/${pid}/task/${tid}`;
      const fields = readFileSync(`${task}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      const role =
        Number(tid) === pid
          ? 'main'
          : readFileSync(`${task}/comm`, 'utf8').trim() === 'WorkerThread'
            ? 'workers'
            : 'rest';
      sums[role] += seconds;
    }
    return sums;
  } catch {
    return none;
  }
}

function statusMb(pid: number | undefined, field: string): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Prints rows as an aligned text table. */
export function printTable(headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  process.stdout.write(`${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}
