import { enableCompileCache } from 'node:module';

/**
 * `npm start`. Node strips the types of every TypeScript file it loads (about 330 of them, 1.3 MB) on
 * each start; its compile cache keeps the stripped and compiled code on disk (in the OS temp directory,
 * keyed by Node's version and each file's content), so only a first start, or one after a change, pays
 * for it. It must be on before the server's modules load, hence the dynamic import.
 */
enableCompileCache();
await import('./start.ts');
