/**
 * Configuration: `arkgraph.config.json` (path via --config) and/or environment variables, validated with zod; the
 * environment wins. Secrets come only from the environment or from files named in the config — never from the
 * config file itself — and are never printed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { jsonPath } from '../graph/json-path.js';
import type { CustomRule } from './correlation-rule.js';
import { type Neo4jTimeouts, neo4jTimeouts, neo4jTimeoutsSchema } from './neo4j-timeouts.js';
import { describeIssues, envErrors, ruleErrors } from './strict.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const pasMethod = z.enum(['CyberArk', 'LDAP', 'RADIUS', 'Windows']);

/** The file format. Secret values are refused here on purpose: name a file or use the environment. */
const fileSchema = z
  .object({
    identity: z
      .object({
        url: z.string().url().optional(),
        clientId: z.string().min(1).optional(),
        clientSecretFile: z.string().min(1).optional(),
        oauthAppId: z.string().min(1).optional(),
        oauthScope: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    privilegeCloud: z
      .object({
        url: z.string().url().optional(),
        pas: z
          .object({
            username: z.string().min(1).optional(),
            passwordFile: z.string().min(1).optional(),
            method: pasMethod.optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    entra: z
      .object({
        tenantId: z.string().min(1).optional(),
        clientId: z.string().min(1).optional(),
        clientSecretFile: z.string().min(1).optional(),
        authorityUrl: z.string().url().optional(),
        graphUrl: z.string().url().optional(),
      })
      .strict()
      .optional(),
    activeDirectory: z
      .object({
        url: z.string().min(1).optional(),
        bindDn: z.string().min(1).optional(),
        bindPasswordFile: z.string().min(1).optional(),
        baseDn: z.string().min(1).optional(),
        startTls: z.boolean().optional(),
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    correlation: z
      .object({
        rules: z
          .array(
            z
              .object({
                name: z.string().min(1),
                directory: z.enum(['entra', 'activedirectory']),
                kind: z.enum(['user', 'group']),
                directoryProperty: z.string().min(1),
                cyberarkProperty: z.string().min(1),
                compare: z.enum(['ignore-case', 'exact', 'ignore-domain']).optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .optional(),
    store: z.enum(['memory', 'neo4j']).optional(),
    dataDir: z.string().min(1).optional(),
    neo4j: z
      .object({
        uri: z.string().min(1).optional(),
        user: z.string().min(1).optional(),
        passwordFile: z.string().min(1).optional(),
        database: z.string().min(1).optional(),
        ...neo4jTimeoutsSchema,
      })
      .strict()
      .optional(),
    http: z
      .object({
        concurrency: z.number().int().min(1).max(64).optional(),
        timeoutMs: z.number().int().min(100).max(600_000).optional(),
        maxAttempts: z.number().int().min(1).max(10).optional(),
      })
      .strict()
      .optional(),
    sync: z
      .object({
        allowPartial: z.boolean().optional(),
        maxPaths: z.number().int().min(1).max(100).optional(),
        pageSize: z.number().int().min(1).max(10_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface ArkgraphConfig {
  identity?: { url: string; clientId: string; clientSecret: string; oauthAppId?: string; oauthScope?: string };
  privilegeCloud?: { url: string; pas?: { username: string; password: string; method?: z.infer<typeof pasMethod> } };
  entra?: { tenantId: string; clientId: string; clientSecret: string; authorityUrl?: string; graphUrl?: string };
  activeDirectory?: {
    url: string;
    bindDn: string;
    bindPassword: string;
    baseDn: string;
    startTls: boolean;
    caFile?: string;
  };
  correlationRules: CustomRule[];
  store: 'memory' | 'neo4j';
  dataDir: string;
  neo4j: { uri?: string; user: string; password?: string; database: string } & Neo4jTimeouts;
  http: { concurrency: number; timeoutMs: number; maxAttempts: number };
  sync: { allowPartial: boolean; maxPaths: number; pageSize: number };
  /** Where each setting came from, for error messages. */
  configFile?: string;
}

const SECRET_KEYS = /secret|password|token/i;

function refuseInlineSecrets(doc: unknown, file: string, at: (string | number)[] = []): void {
  if (!doc || typeof doc !== 'object') return;
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (SECRET_KEYS.test(k) && !/file$/i.test(k) && typeof v === 'string') {
      throw new ConfigError(
        `${file}: ${jsonPath([...at, k])}: secrets are not read from the config file; set the environment variable or name a file (${k}File)`,
      );
    }
    refuseInlineSecrets(v, file, [...at, k]);
  }
}

async function readSecretFile(file: string, what: string): Promise<string> {
  try {
    const value = (await readFile(file, 'utf8')).trim();
    if (!value) throw new ConfigError(`${what}: file ${file} is empty`);
    return value;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `${what}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function intEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`${name}: expected an integer, got "${v}"`);
  return n;
}

type FileConfig = z.infer<typeof fileSchema>;
type Rel = (p: string | undefined) => string | undefined;

/** A source is configured when any of its settings is; then all its required settings must be. */
function requireAll(source: string, values: Record<string, unknown>): void {
  const missing = Object.entries(values)
    .filter(([, v]) => v === undefined || v === '')
    .map(([k]) => k);
  if (missing.length) throw new ConfigError(`${source} is partly configured: missing ${missing.join(', ')}`);
}

async function entraFrom(env: NodeJS.ProcessEnv, file: FileConfig, rel: Rel): Promise<ArkgraphConfig['entra']> {
  const tenantId = env.ARKGRAPH_ENTRA_TENANT_ID || file.entra?.tenantId;
  const clientId = env.ARKGRAPH_ENTRA_CLIENT_ID || file.entra?.clientId;
  const secretFile = env.ARKGRAPH_ENTRA_CLIENT_SECRET_FILE || rel(file.entra?.clientSecretFile);
  const clientSecret =
    env.ARKGRAPH_ENTRA_CLIENT_SECRET ||
    (secretFile ? await readSecretFile(secretFile, 'Entra client secret') : undefined);
  if (!tenantId && !clientId && !clientSecret) return undefined;
  requireAll('Microsoft Entra ID', {
    ARKGRAPH_ENTRA_TENANT_ID: tenantId,
    ARKGRAPH_ENTRA_CLIENT_ID: clientId,
    'ARKGRAPH_ENTRA_CLIENT_SECRET (or _FILE)': clientSecret,
  });
  const authorityUrl = env.ARKGRAPH_ENTRA_AUTHORITY_URL || file.entra?.authorityUrl;
  const graphUrl = env.ARKGRAPH_ENTRA_GRAPH_URL || file.entra?.graphUrl;
  return {
    tenantId: tenantId!,
    clientId: clientId!,
    clientSecret: clientSecret!,
    ...(authorityUrl ? { authorityUrl } : {}),
    ...(graphUrl ? { graphUrl } : {}),
  };
}

async function activeDirectoryFrom(
  env: NodeJS.ProcessEnv,
  file: FileConfig,
  rel: Rel,
): Promise<ArkgraphConfig['activeDirectory']> {
  const ad = file.activeDirectory;
  const url = env.ARKGRAPH_LDAP_URL || ad?.url;
  const bindDn = env.ARKGRAPH_LDAP_BIND_DN || ad?.bindDn;
  const baseDn = env.ARKGRAPH_LDAP_BASE_DN || ad?.baseDn;
  const pwFile = env.ARKGRAPH_LDAP_BIND_PASSWORD_FILE || rel(ad?.bindPasswordFile);
  const bindPassword =
    env.ARKGRAPH_LDAP_BIND_PASSWORD || (pwFile ? await readSecretFile(pwFile, 'LDAP bind password') : undefined);
  if (!url && !bindDn && !baseDn && !bindPassword) return undefined;
  requireAll('Active Directory', {
    ARKGRAPH_LDAP_URL: url,
    ARKGRAPH_LDAP_BIND_DN: bindDn,
    'ARKGRAPH_LDAP_BIND_PASSWORD (or _FILE)': bindPassword,
    ARKGRAPH_LDAP_BASE_DN: baseDn,
  });
  const startTlsEnv = env.ARKGRAPH_LDAP_STARTTLS;
  if (startTlsEnv && !/^(true|false|1|0)$/i.test(startTlsEnv)) {
    throw new ConfigError(`ARKGRAPH_LDAP_STARTTLS: expected true or false, got "${startTlsEnv}"`);
  }
  const caFile = env.ARKGRAPH_LDAP_CA_FILE || rel(ad?.caFile);
  return {
    url: url!,
    bindDn: bindDn!,
    bindPassword: bindPassword!,
    baseDn: baseDn!,
    startTls: startTlsEnv ? /^(true|1)$/i.test(startTlsEnv) : (ad?.startTls ?? false),
    ...(caFile ? { caFile } : {}),
  };
}

export interface LoadConfigOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<ArkgraphConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const badEnv = envErrors(env);
  if (badEnv.length) throw new ConfigError(`environment: ${badEnv.join('; ')}`);
  let file: z.infer<typeof fileSchema> = {};
  let configFile: string | undefined;
  const explicit = options.configFile;
  const candidate = path.resolve(cwd, explicit ?? 'arkgraph.config.json');
  let text: string | undefined;
  try {
    text = await readFile(candidate, 'utf8');
    configFile = candidate;
  } catch (error) {
    if (explicit || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(
        `cannot read config file ${candidate}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  if (text !== undefined && configFile) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${configFile}: not valid JSON: ${(error as Error).message}`);
    }
    refuseInlineSecrets(doc, configFile);
    const parsed = fileSchema.safeParse(doc);
    if (!parsed.success)
      throw new ConfigError(`${configFile}: ${describeIssues(parsed.error.issues, fileSchema).join('; ')}`);
    file = parsed.data;
    const badRules = ruleErrors(file.correlation?.rules ?? [], configFile);
    if (badRules.length) throw new ConfigError(badRules.join('; '));
  }
  const baseDir = configFile ? path.dirname(configFile) : cwd;
  const rel = (p: string | undefined) => (p ? path.resolve(baseDir, p) : undefined);

  const store = env.ARKGRAPH_STORE || file.store || 'memory';
  if (store !== 'memory' && store !== 'neo4j')
    throw new ConfigError(`ARKGRAPH_STORE: expected memory or neo4j, got "${store}"`);

  const identityUrl = env.ARKGRAPH_IDENTITY_URL || file.identity?.url;
  const clientId = env.ARKGRAPH_CLIENT_ID || file.identity?.clientId;
  const secretFile = env.ARKGRAPH_CLIENT_SECRET_FILE || rel(file.identity?.clientSecretFile);
  const clientSecret =
    env.ARKGRAPH_CLIENT_SECRET || (secretFile ? await readSecretFile(secretFile, 'client secret') : undefined);
  let identity: ArkgraphConfig['identity'];
  if (identityUrl || clientId || clientSecret) {
    const missing = [
      !identityUrl && 'ARKGRAPH_IDENTITY_URL',
      !clientId && 'ARKGRAPH_CLIENT_ID',
      !clientSecret && 'ARKGRAPH_CLIENT_SECRET (or ARKGRAPH_CLIENT_SECRET_FILE)',
    ].filter(Boolean);
    if (missing.length) throw new ConfigError(`CyberArk Identity is partly configured: missing ${missing.join(', ')}`);
    identity = {
      url: identityUrl!,
      clientId: clientId!,
      clientSecret: clientSecret!,
      ...((env.ARKGRAPH_OAUTH_APP_ID || file.identity?.oauthAppId) && {
        oauthAppId: (env.ARKGRAPH_OAUTH_APP_ID || file.identity?.oauthAppId)!,
      }),
      ...((env.ARKGRAPH_OAUTH_SCOPE || file.identity?.oauthScope) && {
        oauthScope: (env.ARKGRAPH_OAUTH_SCOPE || file.identity?.oauthScope)!,
      }),
    };
  }

  const pcloudUrl = env.ARKGRAPH_PCLOUD_URL || file.privilegeCloud?.url;
  let privilegeCloud: ArkgraphConfig['privilegeCloud'];
  if (pcloudUrl) {
    privilegeCloud = { url: pcloudUrl };
    const pasUser = env.ARKGRAPH_PAS_USERNAME || file.privilegeCloud?.pas?.username;
    if (pasUser) {
      const pwFile = env.ARKGRAPH_PAS_PASSWORD_FILE || rel(file.privilegeCloud?.pas?.passwordFile);
      const password = env.ARKGRAPH_PAS_PASSWORD || (pwFile ? await readSecretFile(pwFile, 'PAS password') : undefined);
      if (!password) throw new ConfigError('ARKGRAPH_PAS_USERNAME is set but ARKGRAPH_PAS_PASSWORD (or _FILE) is not');
      const method = pasMethod.safeParse(env.ARKGRAPH_PAS_METHOD || file.privilegeCloud?.pas?.method || 'CyberArk');
      if (!method.success) throw new ConfigError('ARKGRAPH_PAS_METHOD: expected CyberArk, LDAP, RADIUS or Windows');
      privilegeCloud.pas = { username: pasUser, password, method: method.data };
    }
  }

  const entra = await entraFrom(env, file, rel);
  const activeDirectory = await activeDirectoryFrom(env, file, rel);

  const neo4jPwFile = env.NEO4J_PASSWORD_FILE || rel(file.neo4j?.passwordFile);
  const neo4jPassword =
    env.NEO4J_PASSWORD || (neo4jPwFile ? await readSecretFile(neo4jPwFile, 'Neo4j password') : undefined);
  const neo4jUri = env.NEO4J_URI || file.neo4j?.uri;

  const config: ArkgraphConfig = {
    store,
    dataDir: path.resolve(cwd, env.ARKGRAPH_DATA_DIR || rel(file.dataDir) || '.arkgraph'),
    neo4j: {
      ...(neo4jUri ? { uri: neo4jUri } : {}),
      user: env.NEO4J_USER || file.neo4j?.user || 'neo4j',
      ...(neo4jPassword ? { password: neo4jPassword } : {}),
      database: env.NEO4J_DATABASE || file.neo4j?.database || 'neo4j',
      ...neo4jTimeouts(env, file.neo4j ?? {}, (message) => new ConfigError(message)),
    },
    http: {
      concurrency: intEnv(env, 'ARKGRAPH_HTTP_CONCURRENCY') ?? file.http?.concurrency ?? 8,
      timeoutMs: intEnv(env, 'ARKGRAPH_HTTP_TIMEOUT_MS') ?? file.http?.timeoutMs ?? 30_000,
      maxAttempts: file.http?.maxAttempts ?? 5,
    },
    sync: {
      allowPartial: file.sync?.allowPartial ?? false,
      maxPaths: file.sync?.maxPaths ?? 10,
      pageSize: file.sync?.pageSize ?? 1000,
    },
    ...(identity ? { identity } : {}),
    ...(privilegeCloud ? { privilegeCloud } : {}),
    ...(entra ? { entra } : {}),
    ...(activeDirectory ? { activeDirectory } : {}),
    correlationRules: file.correlation?.rules ?? [],
    ...(configFile ? { configFile } : {}),
  };
  if (config.http.concurrency < 1 || config.http.concurrency > 64) {
    throw new ConfigError('ARKGRAPH_HTTP_CONCURRENCY: expected 1 to 64');
  }
  return config;
}
