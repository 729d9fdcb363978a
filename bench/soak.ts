/**
 * `--soak`: server mode, one connection, at a fixed half of the measured top rate for 5 minutes, in
 * 30-second windows. Drift compares the last window with the second (the first warms up): RSS and p99.
 */
import { rm } from 'node:fs/promises';
import { rssMb } from './harness.ts';
import { shopifyOrder, writeRequests } from './signed-requests.ts';
import { SHOPIFY_SECRET, startSluice } from './sluice-process.ts';
import { wrk } from './wrk.ts';

export interface SoakFigures {
  readonly rate: number;
  readonly windows: ReadonlyArray<{ readonly rps: number; readonly p99: number; readonly rssMb: number }>;
  /** (last − second) / second, in percent. */
  readonly rssDriftPct: number;
  readonly p99DriftPct: number;
}

export async function soak(options: {
  rate: number;
  windows: number;
  windowSeconds: number;
}): Promise<SoakFigures> {
  const sluice = await startSluice({ mode: 'server' });
  const windows: Array<{ rps: number; p99: number; rssMb: number }> = [];
  try {
    const [path] = await sluice.ingestPaths(1);
    let id = Date.now() * 10 + 5_000_000_000;
    for (let w = 0; w < options.windows; w++) {
      // Each window's requests are signed just before it: five minutes of them would not fit in memory.
      const file = await writeRequests(Math.ceil(options.windowSeconds * options.rate * 1.2), () =>
        shopifyOrder(id++, SHOPIFY_SECRET, path as string),
      );
      try {
        const result = await wrk({
          url: sluice.server.url,
          requests: file,
          connections: 32,
          seconds: options.windowSeconds,
          rate: options.rate,
        });
        windows.push({ rps: result.rps, p99: result.p99, rssMb: rssMb(sluice.server.child.pid) });
        process.stdout.write(
          `  soak window ${w + 1}/${options.windows}: ${Math.round(result.rps)} req/s, p99 ${result.p99.toFixed(1)} ms, RSS ${windows.at(-1)?.rssMb.toFixed(0)} MB\n`,
        );
      } finally {
        await rm(file);
      }
    }
  } finally {
    await sluice.stop();
  }
  const second = windows[1] ?? windows[0];
  const last = windows.at(-1);
  const drift = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? Number.NaN : ((b - a) / a) * 100;
  return {
    rate: options.rate,
    windows,
    rssDriftPct: drift(second?.rssMb, last?.rssMb),
    p99DriftPct: drift(second?.p99, last?.p99),
  };
}
