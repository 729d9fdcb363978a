// Preloaded by a test into a server process (`--import=…/module-log.mjs?log=FILE`): appends the URL of every
// module the process loads to FILE, so that the test can say which packages a start loaded.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = new URL(import.meta.url).searchParams.get('log');
if (file !== null) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(file, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
