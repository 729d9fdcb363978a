import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one load run measured: throughput, latency percentiles in ms, and what went wrong. */
export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Responses with a status ≥ 400, plus socket errors and timeouts. */
  readonly failed: number;
  /** How often the generator ran out of pre-signed requests and started over (repeats = duplicates). */
  readonly wraps: number;
  /** CPU ms the server process spent per request (robust to other load on the machine); NaN if unknown. */
  readonly cpuMsPerRequest?: number;
}

export interface WrkOptions {
  readonly url: string;
  /** A file written by `writeRequests`. */
  readonly requests: string;
  readonly connections: number;
  readonly seconds: number;
  /** A fixed total rate (requests/s), paced by a per-connection `delay`; as fast as it goes when absent. */
  readonly rate?: number;
}

const SCRIPT = new URL('./wrk-requests.lua', import.meta.url).pathname;

/** wrk comes from the distribution's packages; installed here when missing (the bench runs as root). */
export function ensureWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return;
  } catch (error) {
    // `wrk --version` exits 1 after printing its usage: installed.
    if ((error as { status?: number }).status === 1) return;
  }
  process.stdout.write('wrk is missing: apt-get install -y wrk\n');
  try {
    execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' });
  }
}

/** The Lua script for this run: the request reader, plus a pause per request when a rate is asked for. */
function scriptFor(options: WrkOptions): string {
  if (options.rate === undefined) return SCRIPT;
  const pauseMs = Math.max(1, Math.round((options.connections * 1000) / options.rate));
  const path = join(tmpdir(), `sluice-wrk-paced-${process.pid}-${pauseMs}.lua`);
  writeFileSync(path, `${readFileSync(SCRIPT, 'utf8')}\nfunction delay()\n  return ${pauseMs}\nend\n`);
  return path;
}

/** Runs wrk (one thread) against `url` with the pre-signed requests in `requests`. */
export function wrk(options: WrkOptions): Promise<LoadResult> {
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    scriptFor(options),
    options.url,
    '--',
    options.requests,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /WRK_JSON (\{.*\})/.exec(output)?.[1];
      if (code !== 0 || line === undefined) {
        reject(new Error(`wrk exited with ${code}:\n${output}`));
        return;
      }
      const r = JSON.parse(line) as Record<string, number>;
      const n = (key: string) => r[key] ?? 0;
      resolve({
        rps: n('requests') / (n('duration_us') / 1e6),
        p50: n('p50_us') / 1000,
        p99: n('p99_us') / 1000,
        max: n('max_us') / 1000,
        failed:
          n('status_errors') + n('connect_errors') + n('read_errors') + n('write_errors') + n('timeouts'),
        wraps: n('wraps'),
      });
    });
  });
}
