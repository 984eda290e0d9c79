/**
 * What one sync reads and how: the sources' settings (one key per registered source, src/sources/index.ts), HTTP and
 * sync options. `syncConfigFrom` maps the application configuration (src/config) onto it; the CLI, the API's
 * POST /sync and scheduled syncs all go through it.
 */
import { type ArkgraphConfig, ConfigError } from '../config/config.js';
import type { CustomRule } from '../config/correlation-rule.js';
import type { HttpClientOptions } from '../http/index.js';
import { SOURCES, type SourceSettings } from '../sources/index.js';

/** The options of a sync besides the sources' settings (a type, not an interface: the sync reads it by key). */
export type SyncOptions = {
  /** Custom correlation rules, tried after the default ones. */
  correlationRules?: CustomRule[];
  http?: Partial<HttpClientOptions>;
  pageSize?: number;
  allowPartial?: boolean;
  maxPaths?: number;
};

/**
 * Identity is always read: the CyberArk graph starts there, and Privilege Cloud (ISPSS) signs in with its token.
 * Privilege Cloud, Entra ID and Active Directory are read when their settings are given.
 */
export type SyncConfig = SourceSettings & Required<Pick<SourceSettings, 'identity'>> & SyncOptions;

export function syncConfigFrom(config: ArkgraphConfig, overrides: { allowPartial?: boolean } = {}): SyncConfig {
  if (!config.identity) {
    throw new ConfigError(
      'CyberArk Identity is not configured: set ARKGRAPH_IDENTITY_URL, ARKGRAPH_CLIENT_ID and ARKGRAPH_CLIENT_SECRET (see arkgraph --help)',
    );
  }
  const settings: Record<string, unknown> = {};
  for (const source of SOURCES) {
    const configured = source.configured(config);
    if (configured !== undefined) settings[source.configKey] = configured;
  }
  return {
    ...(settings as SyncConfig),
    ...(config.correlationRules.length ? { correlationRules: config.correlationRules } : {}),
    http: {
      concurrency: config.http.concurrency,
      timeoutMs: config.http.timeoutMs,
      maxAttempts: config.http.maxAttempts,
    },
    pageSize: config.sync.pageSize,
    maxPaths: config.sync.maxPaths,
    allowPartial: overrides.allowPartial ?? config.sync.allowPartial,
  };
}
