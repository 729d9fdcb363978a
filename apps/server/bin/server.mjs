// `npm start`: the server, configured from the environment, until SIGINT/SIGTERM.
//
// JavaScript, not TypeScript, so that Node does not load its type stripper (a WASM module, ~15 MB of RSS
// and part of every start) for this file before the compile cache is on. Node strips the types of every
// TypeScript file it loads (about 330 of them, 1.3 MB); the cache keeps the stripped and compiled code on
// disk (in the OS temp directory, keyed by Node's version and each file's content), so only a first start,
// or one after a change, pays for it. It must be on before the server's modules load, hence the dynamic
// imports.
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { tuneHeap } = await import('../src/heap-tuning.ts');
tuneHeap();
await import('../src/start.ts');
