/**
 * The Neo4j store's deadlines and retry budget: `neo4j.connectTimeoutMs` … in the config file, NEO4J_CONNECT_TIMEOUT_MS …
 * in the environment (which wins). Unset ones stay unset: the store holds the defaults (src/store/neo4j/connection.ts,
 * NEO4J_TIMEOUT_DEFAULTS; docs/neo4j-local.md), so that a store built without a configuration gets the same ones.
 */
import { z } from 'zod';

/** Setting → environment variable, and the range it must be in (ms). */
const SETTINGS = {
  connectTimeoutMs: { env: 'NEO4J_CONNECT_TIMEOUT_MS', min: 100, max: 600_000 },
  queryTimeoutMs: { env: 'NEO4J_QUERY_TIMEOUT_MS', min: 100, max: 3_600_000 },
  retryMs: { env: 'NEO4J_RETRY_MS', min: 0, max: 600_000 },
  writeTimeoutMs: { env: 'NEO4J_WRITE_TIMEOUT_MS', min: 1_000, max: 86_400_000 },
} as const;

export type Neo4jTimeouts = { -readonly [K in keyof typeof SETTINGS]?: number };

/** The config file's keys, for the `neo4j` section's schema. */
export const neo4jTimeoutsSchema = {
  connectTimeoutMs: z.number().int().min(SETTINGS.connectTimeoutMs.min).max(SETTINGS.connectTimeoutMs.max).optional(),
  queryTimeoutMs: z.number().int().min(SETTINGS.queryTimeoutMs.min).max(SETTINGS.queryTimeoutMs.max).optional(),
  retryMs: z.number().int().min(SETTINGS.retryMs.min).max(SETTINGS.retryMs.max).optional(),
  writeTimeoutMs: z.number().int().min(SETTINGS.writeTimeoutMs.min).max(SETTINGS.writeTimeoutMs.max).optional(),
};

/** The settings from the environment, else the file; `fail` builds the configuration error for a bad value. */
export function neo4jTimeouts(env: NodeJS.ProcessEnv, file: Neo4jTimeouts, fail: (message: string) => Error) {
  const out: Neo4jTimeouts = {};
  for (const [key, { env: name, min, max }] of Object.entries(SETTINGS) as [
    keyof typeof SETTINGS,
    (typeof SETTINGS)[keyof typeof SETTINGS],
  ][]) {
    const raw = env[name];
    let value = file[key];
    if (raw !== undefined && raw !== '') {
      value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        throw fail(`${name}: expected an integer from ${min} to ${max} (milliseconds), got "${raw}"`);
      }
    }
    if (value !== undefined) out[key] = value;
  }
  return out;
}
