import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build -w @sluice/dashboard` writes the page and its assets (gitignored). */
export const DASHBOARD_DIST_DIR: string = fileURLToPath(new URL('../dist/', import.meta.url));

/** The command that builds the dashboard, for the error a server answers when the build is missing. */
export const DASHBOARD_BUILD_COMMAND = 'npm run build -w @sluice/dashboard';

/** True once the build has written its page. */
export function dashboardBuilt(dir: string = DASHBOARD_DIST_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}
