import { type AddressClassification, classifyAddress, isAllowedClass } from './address-class.ts';
import { parseIp } from './ip-address.ts';

/** Why a target was refused before anything was sent. */
export type TargetRule =
  | 'url_invalid'
  | 'url_scheme'
  | 'url_credentials'
  | 'address_not_allowed'
  | 'request_invalid'
  /** Not a target's fault: the tenant's policy does not allow the action's kind. */
  | 'action_not_allowed';

/** A target the guard refused: the rule, and a message that names the URL or address. */
export interface TargetRefusal {
  readonly ok: false;
  readonly rule: TargetRule;
  readonly message: string;
}

/** A target the guard let through: the parsed URL, and the address when the host is an IP literal. */
export interface TargetAccepted {
  readonly ok: true;
  readonly url: URL;
  /** Set when the host is an IP literal (Node connects to it without a lookup, so it is checked here). */
  readonly literal: string | null;
}

export type TargetCheck = TargetAccepted | TargetRefusal;

/** Whether private, loopback and other internal addresses may be targets. */
export interface GuardOptions {
  /** `SLUICE_ALLOW_PRIVATE_TARGETS=1`: admit the private classes (never metadata, multicast, reserved). */
  readonly allowPrivate: boolean;
}

/** Longest target URL accepted, in characters. */
export const MAX_TARGET_URL_LENGTH = 2048;

function refuse(rule: TargetRule, message: string): TargetRefusal {
  return { ok: false, rule, message };
}

/**
 * Checks an address against the policy: null when it may be connected to, else the refusal naming the
 * address and its class.
 */
export function checkAddress(address: string, options: GuardOptions): TargetRefusal | null {
  const parsed = parseIp(address);
  if (parsed === null) return refuse('address_not_allowed', `${address} is not an IP address.`);
  return refusal(address, classifyAddress(parsed), options);
}

function refusal(address: string, found: AddressClassification, options: GuardOptions): TargetRefusal | null {
  if (isAllowedClass(found.class, options.allowPrivate)) return null;
  const inner = found.embedded === undefined ? '' : ` (${found.via} ${found.embedded})`;
  const hint = options.allowPrivate
    ? 'this class is never a delivery target'
    : 'set SLUICE_ALLOW_PRIVATE_TARGETS=1 to allow private targets';
  return refuse('address_not_allowed', `${address}${inner} is a ${found.class} address; ${hint}.`);
}

/**
 * Checks a target URL before anything is sent: it parses, is `http:` or `https:`, carries no credentials,
 * and, when its host is an IP literal, that address is allowed. A host name is checked later, by the
 * guarded lookup, on every address it resolves to.
 */
export function checkTargetUrl(text: string, options: GuardOptions): TargetCheck {
  if (text.length > MAX_TARGET_URL_LENGTH) {
    return refuse('url_invalid', `The target URL is longer than ${MAX_TARGET_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('url_invalid', `${JSON.stringify(text)} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse('url_scheme', `The target URL must be http or https, got ${url.protocol.slice(0, -1)}.`);
  }
  if (url.username !== '' || url.password !== '') {
    return refuse('url_credentials', 'The target URL must not carry a user name or password.');
  }
  if (url.hostname === '') return refuse('url_invalid', 'The target URL has no host.');
  const address = parseIp(url.hostname);
  if (address === null) return { ok: true, url, literal: null };
  const refused = refusal(url.hostname, classifyAddress(address), options);
  return refused ?? { ok: true, url, literal: url.hostname };
}
