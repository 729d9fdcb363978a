import { createRequire } from 'node:module';

/**
 * A CommonJS dependency loaded at its first use rather than with the module that names it: for a driver or
 * client that only some processes need (the PostgreSQL driver where the store is embedded, the MQTT client
 * where no broker is configured). Each such package is tens of modules that a start would otherwise load,
 * compile and keep. `from` is the caller's `import.meta.url`, so the package resolves as its import would.
 */
export function lazyModule<T>(from: string, specifier: string): () => T {
  const require = createRequire(from);
  let loaded: T | undefined;
  return () => {
    loaded ??= require(specifier) as T;
    return loaded;
  };
}
