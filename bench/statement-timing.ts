/**
 * Statement timing for a process under measurement: preloaded with
 * `NODE_OPTIONS="--import ./bench/statement-timing.ts"` and `BENCH_STATEMENT_LOG=<file>`, it times every
 * statement the process sends through `pg` (from the call to its answer, so waiting for the server and
 * for the socket counts) and writes, at exit, one line per statement shape: count, total and mean ms, and
 * the first 160 characters of the text. Nothing in the product knows of it.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { statementLogFile } from './config.ts';

const file = statementLogFile();
if (file !== undefined) {
  const stats = new Map<string, { count: number; ms: number; bytes: number }>();
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  const shapeOf = (config: unknown): string => {
    const text = typeof config === 'string' ? config : String((config as { text?: unknown })?.text ?? '?');
    return text.replace(/\s+/g, ' ').trim().slice(0, 160);
  };
  const bytesOf = (args: unknown[]): number => {
    const config = args[0] as { text?: string; values?: unknown[] } | string;
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const values = (typeof config === 'string' ? args[1] : config?.values) as unknown[] | undefined;
    let bytes = text.length;
    for (const value of Array.isArray(values) ? values : []) {
      bytes += typeof value === 'string' ? value.length : value == null ? 0 : JSON.stringify(value).length;
    }
    return bytes;
  };
  pg.Client.prototype.query = function timed(this: pg.Client, ...args: unknown[]) {
    const started = performance.now();
    const shape = shapeOf(args[0]);
    const bytes = bytesOf(args);
    const note = () => {
      const entry = stats.get(shape) ?? { count: 0, ms: 0, bytes: 0 };
      entry.count++;
      entry.bytes += bytes;
      entry.ms += performance.now() - started;
      stats.set(shape, entry);
    };
    // The pool passes a callback; a checked-out client's caller awaits the promise.
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (...results: unknown[]) => {
        note();
        return (callback as (...a: unknown[]) => unknown)(...results);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result instanceof Promise) result.then(note, note);
    return result;
  } as typeof pg.Client.prototype.query;
  process.on('exit', () => {
    const lines = [...stats.entries()]
      .sort(([, a], [, b]) => b.ms - a.ms)
      .map(
        ([shape, { count, ms, bytes }]) =>
          `${String(count).padStart(7)} ${ms.toFixed(0).padStart(9)} ms ${(ms / count).toFixed(2).padStart(8)} ms ` +
          `${String(Math.round(bytes / count)).padStart(8)} B  ${shape}`,
      );
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
}
