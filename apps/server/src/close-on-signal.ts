import type { RunningServer } from './server.ts';

/**
 * The one shutdown of `npm start` and the `sluice` CLI: on SIGINT or SIGTERM, close the server (HTTP,
 * workers, store, data-directory lock) once, then exit.
 */
export function closeOnSignal(server: Pick<RunningServer, 'close'>): void {
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await server.close();
      process.exit(0);
    } catch (error) {
      process.stderr.write(
        `Sluice did not shut down cleanly: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}
