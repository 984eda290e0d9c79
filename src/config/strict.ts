/**
 * Strictness the schema alone does not give: an unknown key names the nearest valid one, a correlation rule names
 * properties that exist on the nodes it compares, a URL variable is never set to an empty value (an empty
 * ARKGRAPH_PCLOUD_URL used to give a "completed" sync with no safes), and an ARKGRAPH_ variable is not misspelt.
 */
import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { jsonPath } from '../graph/json-path.js';
import { COMMON_NODE_PROPERTIES, NODE_SCHEMA, type NodeKind } from '../graph/schema.js';
import { ENV_VARS } from './env-vars.js';

/** The closest of `candidates` to `input` (case ignored), when one is close enough to be a likely typo. */
export function nearest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(needle, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(needle.length / 3)) ? best.name : undefined;
}

const didYouMean = (input: string, candidates: Iterable<string>) => {
  const near = nearest(input, candidates);
  return near ? `; did you mean "${near}"?` : '';
};

/** The object schema at a path of `schema` (through optional, default and array wrappers), for its key names. */
function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let current: unknown = schema;
  const unwrap = () => {
    for (let i = 0; i < 10; i++) {
      const def = (current as { def?: { innerType?: unknown; element?: unknown; type?: string } })?.def;
      if (def?.innerType) current = def.innerType;
      else break;
    }
  };
  unwrap();
  for (const seg of path) {
    const def = (current as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }).def;
    if (typeof seg === 'number' && def?.type === 'array') current = def.element;
    else if (typeof seg === 'string' && def?.shape) current = def.shape[seg];
    else return undefined;
    unwrap();
  }
  return (current as { def?: { shape?: Record<string, unknown> } })?.def?.shape;
}

/** One line per zod issue: `identity: unknown key "clientSecert"; did you mean "clientSecretFile"?`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  return issues.flatMap((issue) => {
    const where = jsonPath(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const valid = Object.keys(shapeAt(schema, issue.path) ?? {});
      return issue.keys.map(
        (key) => `${where}: unknown key "${key}"${didYouMean(key, valid)} (valid keys: ${valid.join(', ')})`,
      );
    }
    return [`${where}: ${issue.message}`];
  });
}

/** The properties of a node kind: its own and the ones every node has. */
function propertiesOf(kind: NodeKind): string[] {
  return [...Object.keys(NODE_SCHEMA[kind].properties), ...Object.keys(COMMON_NODE_PROPERTIES)];
}

const DIRECTORY_KINDS = {
  entra: { user: 'EntraUser', group: 'EntraGroup' },
  activedirectory: { user: 'ADUser', group: 'ADGroup' },
} as const;
const CYBERARK_KINDS = { user: 'CyberArkUser', group: 'CyberArkGroup' } as const;

interface RuleProperties {
  name: string;
  directory: keyof typeof DIRECTORY_KINDS;
  kind: 'user' | 'group';
  directoryProperty: string;
  cyberarkProperty: string;
}

/**
 * A rule comparing a property no node has matches nothing, silently; it is refused instead, naming the rule, the
 * property and the nearest one that exists.
 */
export function ruleErrors(rules: readonly RuleProperties[], where: string): string[] {
  const errors: string[] = [];
  rules.forEach((rule, i) => {
    const at = `${where}.correlation.rules[${i}] ("${rule.name}")`;
    const checks = [
      ['directoryProperty', DIRECTORY_KINDS[rule.directory][rule.kind], rule.directoryProperty],
      ['cyberarkProperty', CYBERARK_KINDS[rule.kind], rule.cyberarkProperty],
    ] as const;
    for (const [field, kind, value] of checks) {
      const valid = propertiesOf(kind);
      if (!valid.includes(value)) {
        errors.push(`${at}: ${field} "${value}" is not a property of ${kind}${didYouMean(value, valid)}`);
      }
    }
  });
  return errors;
}

const KNOWN_ENV = ENV_VARS.map((v) => v.name);

/**
 * Environment problems: a URL variable (…_URL, NEO4J_URI) set but empty — an empty URL must not stand for "not
 * configured" — and an ARKGRAPH_ variable arkgraph does not know (a typo would otherwise be ignored). Other empty
 * variables stay "unset", as deployment tools write them (`${VAR:-}` in compose, `value: ""` in charts).
 */
export function envErrors(env: NodeJS.ProcessEnv): string[] {
  const errors: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ARKGRAPH_') && !KNOWN_ENV.includes(name)) continue;
    if (!KNOWN_ENV.includes(name)) {
      errors.push(`${name} is not a variable arkgraph reads${didYouMean(name, KNOWN_ENV)}`);
    } else if (value !== undefined && value.trim() === '' && /_(URL|URI)$/.test(name)) {
      errors.push(`${name} is set but empty: give it a URL or unset it`);
    }
  }
  return errors;
}
