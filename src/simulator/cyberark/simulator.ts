/**
 * CyberArk API simulator: an Identity tenant and a Privilege Cloud (or self-hosted PAS) API serving one tenant file,
 * on two local ports (two origins, as in real life) sharing one token store. Its API shapes follow
 * the public sources named in docs/extractors.md.
 */

import type { FastifyRequest } from 'fastify';
import type { SourceSettings } from '../../sources/index.js';
import type { Tenant } from '../../tenant/format/index.js';
import { RequestCounters } from '../shared/counters.js';
import { FaultController, type FaultRule, type Latency } from '../shared/fault-rules.js';
import { listenPair } from '../shared/server.js';
import { TokenStore } from '../shared/tokens.js';
import { Variations } from '../shared/variations.js';
import { buildIdentityServer } from './identity/server.js';
import { TenantModel } from './model.js';
import { buildPCloudServer } from './pcloud/server.js';

export interface SimulatorOptions {
  tenant: Tenant;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  identityPort?: number;
  /** Default 0 (ephemeral). */
  pcloudPort?: number;
  /** Platform / app token lifetime, served as `expires_in` (default 900, as Privilege Cloud sends). */
  tokenTtlSeconds?: number;
  /** Self-hosted PAS session lifetime (default 1200: idsec-sdk-golang assumes 20 minutes). */
  pasSessionTtlSeconds?: number;
  /** Scopes `/oauth2/token/{appId}` accepts per app id (default DEFAULT_APP_SCOPES for every app). */
  appScopes?: Record<string, string[]>;
  /** Initial fault rules. */
  faults?: FaultRule[];
  /** Applied to every request, before any rule. */
  latency?: Latency;
  /**
   * Seed of the answers' departures from one tidy shape, as real tenants send them (issue 14): optional fields left
   * out (Redrock Count, User.ServiceUser, DirectoryServiceQuery SystemName, safe and member fields), member ids as
   * numbers or strings. Default 1; false sends every field in the tenant file's form.
   */
  variationSeed?: number | false;
  /**
   * Answer GET /Safes in the PAS 12.1-and-older shape `{Safes: [{SafeUrlId, SafeName, Description, Location}],
   * Total}`, paged by offset only (no nextLink). Default false.
   */
  legacySafes?: boolean;
  /**
   * The Redrock User table has no ServiceUser, SecurityQuestionSet or SecurityQuestionCount column (a query naming
   * one fails as any unknown column does), as on a tenant where those columns are absent: service users are then
   * known only from UserMgmt/GetUserAttributes. Default false.
   */
  legacyUserTable?: boolean;
}

export interface Simulator {
  /** Identity tenant base URL, e.g. http://127.0.0.1:41234 */
  identityUrl: string;
  /** Privilege Cloud host base URL; the API is under /PasswordVault/API. */
  pcloudUrl: string;
  tenant: Tenant;
  /** Add/remove/clear fault rules at runtime; setLatency(). Shared by both servers. */
  faults: FaultController;
  /** Per-route request counts of both servers, e.g. get('POST /redrock/query'). */
  counters: RequestCounters;
  /** Expires every token (platform, app and PAS session) issued so far. */
  expireAllTokens(): void;
  /** Sync settings that read both APIs of this simulator, signed in as the tenant's first OAuth client. */
  syncSettings(): Required<Pick<SourceSettings, 'identity' | 'privilegeCloud'>>;
  close(): Promise<void>;
}

/** 429/5xx bodies: PAS shape on PasswordVault paths, gateway shape elsewhere. */
function errorBody(status: number, message: string, request: FastifyRequest): unknown {
  if (request.url.toLowerCase().startsWith('/passwordvault')) {
    // The 429 code is the brief's; 5xx codes are synthetic (the code mapping is undocumented).
    return { ErrorCode: `PASWS${status}E`, ErrorMessage: message };
  }
  return { message };
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const model = new TenantModel(options.tenant);
  const tokens = new TokenStore();
  const faults = new FaultController(options.faults ?? [], options.latency ?? null);
  const counters = new RequestCounters();
  const variations = new Variations(options.variationSeed ?? 1);
  let identityUrl = '';

  const identity = await buildIdentityServer({
    model,
    tokens,
    faults,
    counters,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 900,
    appScopes: options.appScopes,
    baseUrl: () => identityUrl,
    errorBody,
    variations,
    legacyUserTable: options.legacyUserTable ?? false,
  });
  const pcloud = await buildPCloudServer({
    model,
    tokens,
    faults,
    counters,
    pasSessionTtlSeconds: options.pasSessionTtlSeconds ?? 1200,
    errorBody,
    shapes: { variations, legacySafes: options.legacySafes ?? false },
  });

  const servers = await listenPair(
    host,
    {
      app: identity,
      port: options.identityPort,
      onListening: (url) => {
        identityUrl = url;
      },
    },
    { app: pcloud, port: options.pcloudPort },
  );
  const pcloudUrl = servers.urls[1];
  return {
    identityUrl,
    pcloudUrl,
    tenant: options.tenant,
    faults,
    counters,
    expireAllTokens: () => tokens.expireAll(),
    syncSettings: () => {
      const client = options.tenant.identity.oauthClients[0];
      if (!client) throw new Error('the simulated tenant has no OAuth client to sign in with');
      return {
        identity: { identityUrl, clientId: client.clientId, clientSecret: client.clientSecret },
        privilegeCloud: { pcloudUrl },
      };
    },
    close: servers.close,
  };
}
