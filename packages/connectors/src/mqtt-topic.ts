/** The default topic convention of building gateways: one reading per zone and measurement. */
export const DEFAULT_TOPIC_TEMPLATE = 'sites/{site}/gateways/{gateway}/zones/{zone}/{measurement}';

/** The segments a topic template must name: who sent it, about which zone, what was measured. */
const REQUIRED = ['gateway', 'zone', 'measurement'] as const;

/** What a topic says about its reading. */
export interface TopicParts {
  readonly gateway: string;
  readonly zone: string;
  readonly measurement: string;
  /** Every named segment, the required ones included (`site` with the default template). */
  readonly segments: Readonly<Record<string, string>>;
}

/**
 * Matches `topic` against `template` segment by segment: `{name}` takes one segment, anything else must
 * be equal. Throws naming the template when the topic does not fit or the template lacks a required name.
 */
export function parseTopic(template: string, topic: string): TopicParts {
  const want = template.split('/');
  const got = topic.split('/');
  const missing = REQUIRED.filter((name) => !want.includes(`{${name}}`));
  if (missing.length > 0) {
    throw new Error(`mqtt: topic_template ${JSON.stringify(template)} names no {${missing.join('}, {')}}`);
  }
  if (want.length !== got.length) throw misfit(template, topic);
  const segments: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const value = got[index] ?? '';
    const name = /^\{([a-z_]+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (part !== value) throw misfit(template, topic);
      continue;
    }
    if (value === '') throw misfit(template, topic);
    segments[name] = value;
  }
  return {
    gateway: segments['gateway'] ?? '',
    zone: segments['zone'] ?? '',
    measurement: segments['measurement'] ?? '',
    segments,
  };
}

function misfit(template: string, topic: string): Error {
  return new Error(
    `mqtt: topic ${JSON.stringify(topic)} does not fit the template ${JSON.stringify(template)}`,
  );
}
