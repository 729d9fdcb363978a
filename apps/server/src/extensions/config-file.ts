import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Connector, type ConnectorSpec, isSluiceError } from '@sluice/core';
import { defineOperator, type Operator, type OperatorSpec } from '@sluice/execute';
import { defineConnector } from '@sluice/map';
import type { SluiceConfig } from '@sluice/sdk';
import { ConfigError } from '../config.ts';
import { pathExists } from './path-exists.ts';

/** The file looked for in the working directory when `SLUICE_CONFIG` is unset. */
export const CONFIG_FILE_NAME = 'sluice.config.ts';

/** What a config file adds to the shipped connectors and operators, validated. */
export interface Extensions {
  /** The file read, or null when there is none. */
  readonly file: string | null;
  readonly connectors: ReadonlyArray<Connector>;
  readonly operators: ReadonlyArray<Operator>;
}

/** One broken rule of a config file, where it is in the file's export. */
export interface ConfigFileProblem {
  /** `connectors[1]`, `operators[0]`, or `` for the export itself. */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/** A config file that cannot be loaded: its message names the file and every problem, one a line. */
export class ConfigFileError extends ConfigError {
  override name = 'ConfigFileError';
  readonly file: string;
  readonly problems: ReadonlyArray<ConfigFileProblem>;

  constructor(file: string, problems: ReadonlyArray<ConfigFileProblem>) {
    const lines = problems.map((p) => `  ${p.path === '' ? '' : `${p.path}: `}${p.message} [${p.rule}]`);
    super(
      `${file}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`} in the Sluice config file:\n${lines.join('\n')}`,
    );
    this.file = file;
    this.problems = problems;
  }
}

const KNOWN_KEYS: ReadonlyArray<keyof SluiceConfig> = ['connectors', 'operators'];

/**
 * The config file to load: `configured` (`SLUICE_CONFIG`, relative to `cwd`) when given, which must then
 * exist; else `sluice.config.ts` in `cwd` when there is one; else none.
 */
export async function findConfigFile(configured: string | null, cwd: string): Promise<string | null> {
  if (configured !== null) {
    const file = isAbsolute(configured) ? configured : resolve(cwd, configured);
    if (!(await pathExists(file))) {
      throw new ConfigFileError(shown(file, cwd), [
        {
          path: '',
          rule: 'config_file_missing',
          message: 'SLUICE_CONFIG names this file, and it does not exist',
        },
      ]);
    }
    return file;
  }
  const file = join(cwd, CONFIG_FILE_NAME);
  return (await pathExists(file)) ? file : null;
}

/**
 * Loads and validates the config file (see {@link findConfigFile}): every connector through
 * `defineConnector` and every operator through `defineOperator`, each problem of each definition
 * reported at once, with the ids the shipped connectors already use refused.
 * @throws ConfigFileError naming the file and every problem (nothing has been opened yet).
 */
export async function loadExtensions(options: {
  readonly configured: string | null;
  readonly cwd: string;
  /** Ids already served (the shipped connectors): a config connector may not reuse one. */
  readonly reservedConnectorIds: ReadonlyArray<string>;
}): Promise<Extensions> {
  const file = await findConfigFile(options.configured, options.cwd);
  if (file === null) return { file: null, connectors: [], operators: [] };
  const name = shown(file, options.cwd);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = isSluiceError(error) ? error.message : ((error as Error)?.message ?? String(error));
    const rule = isSluiceError(error) ? error.code : 'config_file_load';
    throw new ConfigFileError(name, [{ path: '', rule, message: `could not be loaded: ${reason}` }]);
  }
  const checked = checkConfig(loaded['default'] ?? loaded['config'], options.reservedConnectorIds);
  if (checked.problems.length > 0) throw new ConfigFileError(name, checked.problems);
  return { file, connectors: checked.connectors, operators: checked.operators };
}

/** Checks a config file's export; pure, so it can be tested without files. */
export function checkConfig(
  value: unknown,
  reservedConnectorIds: ReadonlyArray<string> = [],
): { connectors: Connector[]; operators: Operator[]; problems: ConfigFileProblem[] } {
  const problems: ConfigFileProblem[] = [];
  const connectors: Connector[] = [];
  const operators: Operator[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({
      path: '',
      rule: 'config_export',
      message:
        'export default defineConfig({ connectors: [...], operators: [...] }) (from @sluice/sdk); the file exports no such object',
    });
    return { connectors, operators, problems };
  }
  for (const key of Object.keys(value)) {
    if (!(KNOWN_KEYS as ReadonlyArray<string>).includes(key)) {
      problems.push({
        path: key,
        rule: 'config_key_unknown',
        message: `is not a config key; the keys are ${KNOWN_KEYS.join(', ')}`,
      });
    }
  }
  const config = value as Record<string, unknown>;
  const seen = new Set(reservedConnectorIds);
  listOf(config, 'connectors', problems).forEach((item, index) => {
    const path = `connectors[${index}]`;
    const connector = connectorOf(item, path, problems);
    if (connector === null) return;
    if (seen.has(connector.id)) {
      problems.push({
        path,
        rule: 'connector_id_unique',
        message: `connector "${connector.id}": a connector with this id is already served; connector ids are unique`,
      });
      return;
    }
    seen.add(connector.id);
    connectors.push(connector);
  });
  const names = new Set<string>();
  listOf(config, 'operators', problems).forEach((item, index) => {
    const path = `operators[${index}]`;
    try {
      const operator = defineOperator(item as OperatorSpec);
      if (names.has(operator.name)) {
        problems.push({
          path,
          rule: 'operator_name_unique',
          message: `operator "${operator.name}": another operator has this name; operator names are unique`,
        });
        return;
      }
      names.add(operator.name);
      operators.push(operator);
    } catch (error) {
      problems.push(...definitionProblems(error, path));
    }
  });
  return { connectors, operators, problems };
}

function listOf(
  config: Record<string, unknown>,
  key: 'connectors' | 'operators',
  problems: ConfigFileProblem[],
) {
  const list = config[key];
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    problems.push({ path: key, rule: 'config_list', message: `must be an array, not ${typeof list}` });
    return [];
  }
  return list as unknown[];
}

/** A connector made by `defineConnector` is taken as it is; a spec is defined here. */
function connectorOf(item: unknown, path: string, problems: ConfigFileProblem[]): Connector | null {
  if (typeof item === 'object' && item !== null && (item as Connector).eventTypes instanceof Map) {
    return item as Connector;
  }
  try {
    return defineConnector(item as ConnectorSpec);
  } catch (error) {
    problems.push(...definitionProblems(error, path));
    return null;
  }
}

/** Every problem a definition error carries (`details.problems`), or the error itself. */
function definitionProblems(error: unknown, path: string): ConfigFileProblem[] {
  if (!isSluiceError(error)) throw error;
  const details = error.details as { rule?: string; problems?: Array<{ rule: string; message: string }> };
  const listed = details?.problems ?? [];
  if (listed.length === 0) return [{ path, rule: details?.rule ?? error.code, message: error.message }];
  return listed.map((p) => ({ path, rule: p.rule, message: p.message }));
}

/** The file as the user would name it: relative to the working directory when it is inside it. */
function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}
