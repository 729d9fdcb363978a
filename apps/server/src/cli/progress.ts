import { SingleBar } from 'cli-progress';
import type { Output } from './output.ts';

/** A progress bar on stderr while it is a terminal (and not `--json`); elsewhere nothing is drawn. */
export interface Progress {
  update(value: number, total: number, payload?: Readonly<Record<string, string | number>>): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

/**
 * A cli-progress bar with `format` (its `{bar}`, `{value}`, `{total}` and the payload's names), drawn
 * only where it can be redrawn in place.
 */
export function progressBar(out: Output, format: string): Progress {
  if (!out.interactive) return SILENT;
  const bar = new SingleBar({
    format,
    stream: out.streams.stderr,
    hideCursor: true,
    clearOnComplete: true,
    barsize: 24,
  });
  let started = false;
  return {
    update(value, total, payload = {}) {
      if (!started) {
        bar.start(total, value, payload);
        started = true;
        return;
      }
      bar.setTotal(total);
      bar.update(value, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
