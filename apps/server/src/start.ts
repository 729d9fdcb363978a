import { StoreOpenError } from '@sluice/store';
import { closeOnSignal } from './close-on-signal.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

/** The server's entry (`bin/server.mjs` loads it): configuration from the environment, then the server until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const server = await startServer(loadConfig());
  closeOnSignal(server);
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof StoreOpenError
        ? `Sluice failed to start: ${error.message}`
        : `Sluice failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
