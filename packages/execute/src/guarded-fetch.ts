import { lazyModule } from '@sluice/core';
import type * as Undici from 'undici';
import { guardedLookup, type Resolver, TargetRefusedError } from './guarded-lookup.ts';
import { checkTargetUrl, type GuardOptions } from './target-guard.ts';

/** How a guarded fetch connects and follows redirects. */
export interface GuardedFetchOptions extends GuardOptions {
  /** Name resolution for host names (tests inject one); the system resolver by default. */
  readonly resolve?: Resolver;
  /** Redirects followed, each one checked like the first URL; default 5. */
  readonly maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** undici (~100 modules), loaded with the first guarded fetch: a process that polls nothing never needs it. */
const undici = lazyModule<typeof Undici>(import.meta.url, 'undici');

/** The refusal behind a failed fetch, however deep undici wrapped it. */
function refusalIn(error: unknown): TargetRefusedError | null {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (cause instanceof TargetRefusedError) return cause;
    cause = cause.cause;
  }
  return null;
}

/**
 * A WHATWG `fetch` for requests whose URL a tenant chose (poll sources, probes), behind the same target
 * guard as outbound deliveries: the URL is checked before sending (scheme, credentials, an IP literal's
 * class), every address a host name resolves to is checked by the guarded lookup the connection uses (so
 * a name resolving to a private address is refused, with no second lookup to slip through), and redirects
 * are followed by hand, each `Location` checked the same way. A refused target rejects with
 * `TargetRefusedError`, whose message names the URL or address and its class.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof fetch {
  let dispatcher: Undici.Agent | undefined;
  const maxRedirects = options.maxRedirects ?? 5;
  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = input instanceof Request ? input.url : String(input);
    let method = init.method ?? 'GET';
    const { body: initialBody, method: _method, ...rest } = init;
    let body = initialBody ?? null;
    for (let hop = 0; ; hop++) {
      const target = checkTargetUrl(url, options);
      if (!target.ok) throw new TargetRefusedError(target);
      let response: Response;
      try {
        dispatcher ??= new (undici().Agent)({ connect: { lookup: guardedLookup(options, options.resolve) } });
        response = (await undici().fetch(target.url, {
          ...(rest as object),
          method,
          ...(body === null ? {} : { body }),
          redirect: 'manual',
          dispatcher,
        })) as unknown as Response;
      } catch (error) {
        throw refusalIn(error) ?? error;
      }
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return response;
      await response.body?.cancel();
      if (hop >= maxRedirects) throw new Error(`${url}: more than ${maxRedirects} redirects.`);
      url = new URL(location, target.url).toString();
      if (response.status === 303) {
        // See Other: the next request is a GET, without the body.
        method = 'GET';
        body = null;
      }
    }
  };
  return guarded as typeof fetch;
}
