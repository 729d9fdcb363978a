import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkAddress, type GuardOptions, type TargetRefusal } from './target-guard.ts';

/** Resolves a host name to every address it has; the default is the system resolver (`getaddrinfo`). */
export type Resolver = (hostname: string) => Promise<ReadonlyArray<LookupAddress>>;

/** The system resolver: every address of the name, in the order the resolver gave them. */
export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, order: 'verbatim' });

/**
 * The error a guarded lookup fails a connection with when a name resolves to an address the policy
 * refuses; the deliverer turns it back into a `refused` outcome. It is an `Error` only because Node's
 * lookup callback carries errors.
 */
export class TargetRefusedError extends Error {
  readonly code = 'ERR_SLUICE_TARGET_REFUSED';
  readonly refusal: TargetRefusal;

  constructor(refusal: TargetRefusal) {
    super(refusal.message);
    this.name = 'TargetRefusedError';
    this.refusal = refusal;
  }
}

/** What a guarded lookup decided about one host name: the addresses to connect to, or the refusal. */
export type LookupDecision =
  | { readonly ok: true; readonly addresses: ReadonlyArray<LookupAddress> }
  | TargetRefusal;

/**
 * Resolves a name once and checks every address it has: one refused address refuses the name, so a
 * record set mixing a public and a private address cannot be used to reach the private one. `family`
 * narrows the answer to what the socket asked for.
 */
export async function resolveChecked(
  hostname: string,
  family: 0 | 4 | 6,
  resolve: Resolver,
  options: GuardOptions,
): Promise<LookupDecision> {
  const answers = await resolve(hostname);
  for (const answer of answers) {
    const refused = checkAddress(answer.address, options);
    if (refused !== null) {
      return { ...refused, message: `${hostname} resolves to ${refused.message}` };
    }
  }
  const addresses = family === 0 ? answers : answers.filter((answer) => answer.family === family);
  return { ok: true, addresses };
}

function familyOf(options: LookupOptions): 0 | 4 | 6 {
  const family = options.family;
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

/**
 * A `lookup` for `net.connect` (through the HTTP agent) that connects only to checked addresses. The
 * addresses it hands back are the ones it checked, so the socket connects to exactly those: there is no
 * second lookup a changing DNS answer could slip through (no time-of-check/time-of-use gap).
 */
export function guardedLookup(options: GuardOptions, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolveChecked(hostname, familyOf(lookupOptions), resolve, options).then(
      (decision) => {
        if (!decision.ok) {
          callback(new TargetRefusedError(decision), '', 0);
          return;
        }
        const first = decision.addresses[0];
        if (first === undefined) {
          const error: NodeJS.ErrnoException = new Error(
            `${hostname} has no address of the family asked for.`,
          );
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
        } else if (lookupOptions.all === true) {
          callback(null, [...decision.addresses]);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
