/** The broker session a connection's config asks for (the mapping reads the rest of the config). */
export interface MqttSessionConfig {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  readonly brokerUrl: string;
  readonly host: string;
  /** Topic filters, `+` and `#` wildcards allowed. */
  readonly topics: ReadonlyArray<string>;
  readonly qos: 0 | 1 | 2;
  readonly username: string | null;
  readonly password: string | null;
}

export type SessionConfigResult =
  | { readonly ok: true; readonly value: MqttSessionConfig }
  | { readonly ok: false; readonly message: string };

/** A topic filter: non-empty, `#` only as the last level, `+` and `#` only as whole levels. */
export function isTopicFilter(filter: string): boolean {
  if (filter === '' || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every(
    (level, index) =>
      (level === '#' ? index === levels.length - 1 : true) &&
      (level.length <= 1 || (!level.includes('+') && !level.includes('#'))),
  );
}

/** Reads `broker_url`, `topics`, `qos` (default 1), `username` and `password` from a connection's config. */
export function sessionConfigOf(config: Readonly<Record<string, unknown>>): SessionConfigResult {
  const raw = config['broker_url'];
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    return {
      ok: false,
      message: `broker_url must be an mqtt:// or mqtts:// URL, got ${JSON.stringify(raw)}`,
    };
  }
  if ((url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') || url.hostname === '') {
    return {
      ok: false,
      message: `broker_url must be an mqtt:// or mqtts:// URL, got ${JSON.stringify(raw)}`,
    };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'broker_url carries no credentials; set username and password instead' };
  }
  const topics = config['topics'];
  if (
    !Array.isArray(topics) ||
    topics.length === 0 ||
    !topics.every((topic) => typeof topic === 'string' && isTopicFilter(topic))
  ) {
    return {
      ok: false,
      message: `topics must be a non-empty list of MQTT topic filters (e.g. "sites/+/gateways/#"), got ${JSON.stringify(topics)}`,
    };
  }
  const qos = config['qos'] ?? 1;
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    return { ok: false, message: `qos must be 0, 1 or 2, got ${JSON.stringify(qos)}` };
  }
  const username = config['username'] ?? null;
  const password = config['password'] ?? null;
  if (
    (username !== null && typeof username !== 'string') ||
    (password !== null && typeof password !== 'string')
  ) {
    return { ok: false, message: 'username and password must be strings' };
  }
  return {
    ok: true,
    value: {
      brokerUrl: `${url.protocol}//${url.host}`,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      topics: [...new Set(topics as string[])],
      qos,
      username,
      password,
    },
  };
}
