/**
 * What one sync reads and how: the sources' settings, HTTP and sync options. `syncConfigFrom` maps the application
 * configuration (src/config) onto it; the CLI, the API's POST /sync and scheduled syncs all go through it.
 */
import { type ArkgraphConfig, ConfigError } from '../config/config.js';
import type { CustomRule } from '../config/correlation-rule.js';
import type { HttpClientOptions } from '../http/index.js';
import type { ActiveDirectoryConfig } from '../sources/activedirectory/extract.js';
import type { EntraSourceConfig } from '../sources/entra/extract.js';
import type { IdentitySourceConfig } from '../sources/identity/extract.js';

export interface SyncConfig {
  identity: IdentitySourceConfig;
  /** Privilege Cloud / PAS; the platform token of `identity` is used unless PAS credentials are given. */
  privilegeCloud?: {
    pcloudUrl: string;
    pas?: { username: string; password: string; method?: 'CyberArk' | 'LDAP' | 'RADIUS' | 'Windows' };
  };
  /** Microsoft Entra ID (Graph), correlated with CyberArk users and groups. */
  entra?: EntraSourceConfig;
  /** Active Directory over LDAP, correlated with CyberArk users and groups. */
  activeDirectory?: ActiveDirectoryConfig;
  /** Custom correlation rules, tried after the default ones. */
  correlationRules?: CustomRule[];
  http?: Partial<HttpClientOptions>;
  pageSize?: number;
  allowPartial?: boolean;
  maxPaths?: number;
}

export function syncConfigFrom(config: ArkgraphConfig, overrides: { allowPartial?: boolean } = {}): SyncConfig {
  if (!config.identity) {
    throw new ConfigError(
      'CyberArk Identity is not configured: set ARKGRAPH_IDENTITY_URL, ARKGRAPH_CLIENT_ID and ARKGRAPH_CLIENT_SECRET (see arkgraph --help)',
    );
  }
  return {
    identity: {
      identityUrl: config.identity.url,
      clientId: config.identity.clientId,
      clientSecret: config.identity.clientSecret,
      ...(config.identity.oauthAppId ? { oauthAppId: config.identity.oauthAppId } : {}),
      ...(config.identity.oauthScope ? { oauthScope: config.identity.oauthScope } : {}),
    },
    ...(config.privilegeCloud
      ? {
          privilegeCloud: {
            pcloudUrl: config.privilegeCloud.url,
            ...(config.privilegeCloud.pas ? { pas: config.privilegeCloud.pas } : {}),
          },
        }
      : {}),
    ...(config.entra ? { entra: { ...config.entra } } : {}),
    ...(config.activeDirectory
      ? {
          activeDirectory: {
            url: config.activeDirectory.url,
            bindDn: config.activeDirectory.bindDn,
            bindPassword: config.activeDirectory.bindPassword,
            baseDn: config.activeDirectory.baseDn,
            startTls: config.activeDirectory.startTls,
            ...(config.activeDirectory.caFile ? { tlsCaFile: config.activeDirectory.caFile } : {}),
          },
        }
      : {}),
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
