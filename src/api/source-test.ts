/**
 * POST /sources/test: for each configured source, obtain a token (or PAS logon, or LDAP bind) and make one cheap read
 * per right the sync needs, with the real extractor clients — nothing is synced or written. Each check reports ok or the
 * (secret-scrubbed) error; a check that depends on an earlier failed one is reported as skipped.
 */
import { SizeLimitExceededError } from 'ldapts';
import { z } from 'zod';
import type { ArkgraphConfig } from '../config/config.js';
import {
  type AuthProvider,
  type HttpClient,
  type HttpClientOptions,
  identityEnvelope,
  redrockResult,
  scrubSecrets,
  unwrapIdentity,
} from '../http/index.js';
import {
  createLdapClient,
  GROUP_FILTER,
  ldapSourceError,
  ldapTlsOptions,
  resolveActiveDirectoryConfig,
  USER_FILTER,
} from '../sources/activedirectory/extract.js';
import { createEntraClient } from '../sources/entra/extract.js';
import { createIdentityClient, type IdentitySourceConfig, identityAuth } from '../sources/identity/extract.js';
import { aceRow, adminRightRow, directoryServiceRow, roleMemberRow } from '../sources/identity/schemas.js';
import { createPrivilegeCloudClient, pasAuth } from '../sources/privilegecloud/extract.js';
import { accountsPage, membersPage, safesPage, userGroupsPage } from '../sources/privilegecloud/schemas.js';

export interface SourceCheck {
  name: string;
  ok: boolean;
  error?: string;
}

export interface SourceTestResult {
  ok: boolean;
  sources: Record<string, { ok: boolean; checks: SourceCheck[] }>;
}

const idRow = z.looseObject({ ID: z.string().min(1) });

class Checks {
  readonly list: SourceCheck[] = [];
  private failed = false;

  /** Runs a check unless a required earlier one failed. */
  async run<T>(name: string, fn: () => Promise<T>, requiresPrevious = true): Promise<T | undefined> {
    if (requiresPrevious && this.failed) {
      this.list.push({ name, ok: false, error: 'skipped: an earlier check failed' });
      return undefined;
    }
    try {
      const value = await fn();
      this.list.push({ name, ok: true });
      return value;
    } catch (error) {
      this.failed = true;
      this.list.push({ name, ok: false, error: scrubSecrets(error instanceof Error ? error.message : String(error)) });
      return undefined;
    }
  }

  skip(name: string, why: string) {
    this.list.push({ name, ok: true, error: `not checked: ${why}` });
  }

  get ok(): boolean {
    return this.list.every((c) => c.ok);
  }
}

function testHttp(config: ArkgraphConfig): Partial<HttpClientOptions> {
  return { timeoutMs: Math.min(config.http.timeoutMs, 15_000), maxAttempts: 2, concurrency: 2 };
}

async function redrockFirst(client: HttpClient, table: string, script: string): Promise<string | undefined> {
  const env = await client.request({
    method: 'POST',
    path: '/Redrock/query',
    endpoint: `POST /Redrock/query (${table})`,
    json: { Script: script, Args: { PageNumber: 1, PageSize: 1, Limit: 1, Caching: -1 } },
    schema: identityEnvelope(redrockResult(idRow)),
  });
  return unwrapIdentity(env, 'identity', `POST /Redrock/query (${table})`).Results[0]?.Row.ID;
}

async function testIdentity(cfg: IdentitySourceConfig, http: Partial<HttpClientOptions>) {
  const checks = new Checks();
  const auth = identityAuth(cfg);
  const client = createIdentityClient(cfg, auth, http);
  try {
    await checks.run('token', () => auth.authorization(client));
    const services = await checks.run('POST /Core/GetDirectoryServices', async () => {
      const env = await client.request({
        method: 'POST',
        path: '/Core/GetDirectoryServices',
        json: { Args: { Caching: -1 } },
        schema: identityEnvelope(redrockResult(directoryServiceRow)),
      });
      return unwrapIdentity(env, 'identity', 'POST /Core/GetDirectoryServices').Results.map(
        (r) => r.Row.directoryServiceUuid,
      );
    });
    await checks.run('POST /Redrock/query (User, 1 row)', () =>
      redrockFirst(client, 'User', 'Select ID, Username from User ORDER BY ID'),
    );
    if (services) {
      await checks.run('POST /UserMgmt/DirectoryServiceQuery (1 user)', async () => {
        await client.request({
          method: 'POST',
          path: '/UserMgmt/DirectoryServiceQuery',
          json: {
            directoryServices: services,
            user: '{}',
            Args: { PageNumber: 1, PageSize: 1, Limit: 1, Caching: -1 },
          },
          schema: identityEnvelope(z.unknown()),
        });
      });
    }
    const roleId = await checks.run('POST /Redrock/query (Role, 1 row)', () =>
      redrockFirst(client, 'Role', 'Select ID, Name from Role ORDER BY ID'),
    );
    if (roleId) {
      await checks.run('POST /Roles/GetRoleMembers (1 role)', async () => {
        await client.request({
          method: 'POST',
          path: '/Roles/GetRoleMembers',
          json: { Name: roleId },
          schema: identityEnvelope(redrockResult(roleMemberRow).nullable()),
        });
      });
      await checks.run('POST /Core/GetAssignedAdministrativeRights (1 role)', async () => {
        await client.request({
          method: 'POST',
          path: '/Core/GetAssignedAdministrativeRights',
          query: { role: roleId },
          json: { role: roleId },
          schema: identityEnvelope(redrockResult(adminRightRow).nullable()),
        });
      });
    } else if (roleId === undefined && checks.ok) checks.skip('POST /Roles/GetRoleMembers (1 role)', 'no role');
    const appId = await checks.run('POST /Redrock/query (Application, 1 row)', () =>
      redrockFirst(client, 'Application', 'Select ID, Name from Application ORDER BY ID'),
    );
    if (appId) {
      await checks.run('POST /Acl/GetRowAces (1 application)', async () => {
        await client.request({
          method: 'POST',
          path: '/Acl/GetRowAces',
          json: { RowKey: appId, Table: 'Application', ReduceSysadmin: false },
          schema: identityEnvelope(z.array(aceRow).nullable()),
        });
      });
    }
  } finally {
    await auth.close?.();
  }
  return { ok: checks.ok, checks: checks.list };
}

async function testPrivilegeCloud(
  config: ArkgraphConfig,
  pcloud: NonNullable<ArkgraphConfig['privilegeCloud']>,
  http: Partial<HttpClientOptions>,
) {
  const checks = new Checks();
  let auth: AuthProvider | undefined;
  if (pcloud.pas) auth = pasAuth(pcloud.url, pcloud.pas);
  else if (config.identity) {
    auth = identityAuth({
      identityUrl: config.identity.url,
      clientId: config.identity.clientId,
      clientSecret: config.identity.clientSecret,
      ...(config.identity.oauthAppId ? { oauthAppId: config.identity.oauthAppId } : {}),
      ...(config.identity.oauthScope ? { oauthScope: config.identity.oauthScope } : {}),
    });
  }
  if (!auth) {
    await checks.run('token', async () => {
      throw new Error('Privilege Cloud needs the Identity platform token (configure Identity) or PAS credentials');
    });
    return { ok: false, checks: checks.list };
  }
  const client = createPrivilegeCloudClient(pcloud.url, auth, http);
  try {
    await checks.run(pcloud.pas ? 'logon' : 'token', () => auth.authorization(client));
    const safe = await checks.run('GET /PasswordVault/API/Safes (1 safe)', async () => {
      const page = await client.request({
        method: 'GET',
        path: 'API/Safes',
        query: { offset: 0, limit: 1 },
        schema: safesPage,
        endpoint: 'GET /PasswordVault/API/Safes',
      });
      return page.value[0]?.safeUrlId ?? null;
    });
    if (safe) {
      await checks.run('GET /PasswordVault/API/Safes/{safeUrlId}/Members (1 page)', async () => {
        await client.request({
          method: 'GET',
          path: `API/Safes/${safe}/Members`,
          query: { offset: 0, limit: 1, filter: 'includePredefinedUsers eq true' },
          schema: membersPage,
          endpoint: 'GET /PasswordVault/API/Safes/{safeUrlId}/Members',
        });
      });
    } else if (safe === null)
      checks.skip('GET /PasswordVault/API/Safes/{safeUrlId}/Members (1 page)', 'no safe visible');
    await checks.run('GET /PasswordVault/API/Accounts (1 account)', async () => {
      await client.request({
        method: 'GET',
        path: 'API/Accounts',
        query: { offset: 0, limit: 1 },
        schema: accountsPage,
        endpoint: 'GET /PasswordVault/API/Accounts',
      });
    });
    await checks.run('GET /PasswordVault/API/UserGroups', async () => {
      await client.request({
        method: 'GET',
        path: 'API/UserGroups',
        schema: userGroupsPage,
        endpoint: 'GET /PasswordVault/API/UserGroups',
      });
    });
  } finally {
    await auth.close?.();
  }
  return { ok: checks.ok, checks: checks.list };
}

const graphPage = z.looseObject({ value: z.array(z.looseObject({ id: z.string() })) });

async function testEntra(cfg: NonNullable<ArkgraphConfig['entra']>, http: Partial<HttpClientOptions>) {
  const checks = new Checks();
  const client = createEntraClient(cfg, http);
  const first = async (path: string, endpoint: string) => {
    const page = await client.request({
      method: 'GET',
      path,
      query: { $select: 'id', $top: 1 },
      schema: graphPage,
      endpoint,
    });
    return page.value[0]?.id ?? null;
  };
  await checks.run('token', () => client.auth!.authorization(client));
  await checks.run('GET /v1.0/users (1 user)', () => first('/v1.0/users', 'GET /v1.0/users'));
  const group = await checks.run('GET /v1.0/groups (1 group)', () => first('/v1.0/groups', 'GET /v1.0/groups'));
  if (group) {
    await checks.run('GET /v1.0/groups/{id}/members (1 page)', () =>
      first(`/v1.0/groups/${encodeURIComponent(group)}/members`, 'GET /v1.0/groups/{id}/members'),
    );
  } else if (group === null) checks.skip('GET /v1.0/groups/{id}/members (1 page)', 'no group visible');
  return { ok: checks.ok, checks: checks.list };
}

async function testActiveDirectory(cfg: NonNullable<ArkgraphConfig['activeDirectory']>, timeoutMs: number) {
  const checks = new Checks();
  const c = await checks.run('configuration', async () =>
    resolveActiveDirectoryConfig({
      url: cfg.url,
      bindDn: cfg.bindDn,
      bindPassword: cfg.bindPassword,
      baseDn: cfg.baseDn,
      startTls: cfg.startTls,
      ...(cfg.caFile ? { tlsCaFile: cfg.caFile } : {}),
      timeoutMs,
      connectTimeoutMs: Math.min(timeoutMs, 10_000),
    }),
  );
  if (!c) return { ok: false, checks: checks.list };
  let ca: string | undefined;
  if (c.tlsCaFile) {
    const { readFile } = await import('node:fs/promises');
    ca = await checks.run('CA file', () => readFile(c.tlsCaFile!, 'utf8'));
    if (ca === undefined) return { ok: false, checks: checks.list };
  }
  const client = createLdapClient(c, ca);
  const one = async (filter: string, label: string) => {
    try {
      await client.search(c.baseDn, { scope: 'sub', filter, attributes: ['distinguishedName'], sizeLimit: 1 });
    } catch (e) {
      if (e instanceof SizeLimitExceededError) return; // more than one entry: readable
      throw ldapSourceError(e, label, c.origin);
    }
  };
  try {
    if (c.startTls) {
      await checks.run('starttls', async () => {
        try {
          await client.startTLS({ ...ldapTlsOptions(c, ca), host: c.host });
        } catch (e) {
          throw ldapSourceError(e, `starttls ${c.origin}`, c.origin);
        }
      });
    }
    await checks.run(`bind ${c.bindDn}`, async () => {
      try {
        await client.bind(c.bindDn, c.bindPassword);
      } catch (e) {
        throw ldapSourceError(e, `bind ${c.bindDn}`, c.origin);
      }
    });
    await checks.run('search users (1 entry)', () => one(USER_FILTER, `search ${USER_FILTER} base ${c.baseDn}`));
    await checks.run('search groups (1 entry)', () => one(GROUP_FILTER, `search ${GROUP_FILTER} base ${c.baseDn}`));
  } finally {
    await client.unbind().catch(() => {});
  }
  return { ok: checks.ok, checks: checks.list };
}

/** Tests every configured source; sources run in parallel. */
export async function testSources(config: ArkgraphConfig): Promise<SourceTestResult> {
  const http = testHttp(config);
  const sources: SourceTestResult['sources'] = {};
  const tasks: Promise<void>[] = [];
  if (config.identity) {
    const id = config.identity;
    tasks.push(
      testIdentity(
        {
          identityUrl: id.url,
          clientId: id.clientId,
          clientSecret: id.clientSecret,
          ...(id.oauthAppId ? { oauthAppId: id.oauthAppId } : {}),
          ...(id.oauthScope ? { oauthScope: id.oauthScope } : {}),
        },
        http,
      ).then((r) => {
        sources.identity = r;
      }),
    );
  }
  if (config.privilegeCloud) {
    const pc = config.privilegeCloud;
    tasks.push(
      testPrivilegeCloud(config, pc, http).then((r) => {
        sources.privilegecloud = r;
      }),
    );
  }
  if (config.entra) {
    const entra = config.entra;
    tasks.push(
      testEntra(entra, http).then((r) => {
        sources.entra = r;
      }),
    );
  }
  if (config.activeDirectory) {
    const ad = config.activeDirectory;
    tasks.push(
      testActiveDirectory(ad, http.timeoutMs ?? 15_000).then((r) => {
        sources.activedirectory = r;
      }),
    );
  }
  await Promise.all(tasks);
  const names = Object.keys(sources);
  return { ok: names.length > 0 && names.every((n) => sources[n]!.ok), sources };
}
