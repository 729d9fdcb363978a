/**
 * Which methods each registered path answers, so a request with the wrong method gets
 * `405 method_not_allowed` with an `Allow` header instead of a 404 that hides the route.
 */
export class RouteMethods {
  readonly #routes: Array<{ readonly pattern: RegExp; readonly methods: Set<string> }> = [];
  readonly #byUrl = new Map<string, Set<string>>();

  /** Records a route as Fastify registers it (`/api/v1/connections/:id`, `/files/*`). */
  add(methods: string | ReadonlyArray<string>, url: string): void {
    let known = this.#byUrl.get(url);
    if (known === undefined) {
      known = new Set();
      this.#byUrl.set(url, known);
      this.#routes.push({ pattern: patternOf(url), methods: known });
    }
    for (const method of typeof methods === 'string' ? [methods] : methods) known.add(method.toUpperCase());
  }

  /** The methods some route answers at `path` (no query string), sorted; empty when no route matches. */
  allowed(path: string): ReadonlyArray<string> {
    const methods = new Set<string>();
    for (const route of this.#routes) {
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}

function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}
