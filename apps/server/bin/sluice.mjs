#!/usr/bin/env node
// The `sluice` command. It runs the CLI (TypeScript, run as is by Node 24) on the Node the project brings
// in its `node` dependency, whichever `node` the shell finds first, so it works from any shell. Node's
// compile cache is on before the CLI loads, as in `server.mjs`.
import { spawn } from 'node:child_process';
import nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  nodeModule.enableCompileCache();
  await import(cli);
} else {
  let node;
  try {
    node = nodeModule.createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    process.stderr.write(
      `sluice needs Node 24, and this is Node ${process.versions.node}; run \`npm install\` in the project first.\n`,
    );
    process.exit(1);
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(name, forward);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
