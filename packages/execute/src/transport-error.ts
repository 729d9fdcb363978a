/** What the usual socket and DNS error codes mean, for an attempt's error. */
const MEANINGS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name was not found',
  EAI_AGAIN: 'the host name could not be resolved for now',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not name the host',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate cannot be verified',
};

/** An attempt's error for a failure below HTTP: the code, what it means, and Node's message. */
export function networkError(error: unknown): string {
  if (!(error instanceof Error)) return `The request failed: ${String(error)}.`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return `The request failed: ${error.message}.`;
  const meaning = MEANINGS[code];
  return meaning === undefined ? `${code}: ${error.message}.` : `${code}: ${meaning} (${error.message}).`;
}
