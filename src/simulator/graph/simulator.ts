/**
 * Microsoft Graph simulator: serves a tenant file's `entra` section on two loopback ports — two origins, as in real
 * life: the authority (`POST /{tenant}/oauth2/v2.0/token`, login.microsoftonline.com) and Graph (`/v1.0/...`,
 * graph.microsoft.com). A token from the authority is accepted by Graph; a Graph request never reaches the authority
 * origin and vice versa, so an extractor's origin checks are exercised for real.
 *
 * Graph endpoints: GET /v1.0/users, /v1.0/users/{id|upn}, /v1.0/groups, /v1.0/groups/{id}, /v1.0/groups/{id}/members,
 * /v1.0/groups/{id}/transitiveMembers — with `$select` (default property sets; accountEnabled, userType and
 * onPremises* only when selected; selected-but-empty → null), `$top` (1–999, default 100), absolute
 * `@odata.nextLink`s carrying an opaque, authenticated `$skiptoken`, `@odata.context`, `$count` with
 * `ConsistencyLevel: eventual`, Graph error bodies, 401 InvalidAuthenticationToken, 403 Authorization_RequestDenied
 * (app roles), 404 Request_ResourceNotFound. Paths are case-insensitive. See docs/entra.md.
 *
 * Faults: the generic plugin (../shared/fault-injection.ts) on both servers with one controller; `status429` rules may
 * carry a fractional `retryAfter.seconds` (Graph sends e.g. `Retry-After: 2.128`).
 */
import type { SourceSettings } from '../../sources/index.js';
import type { EntraSection } from '../../tenant/format/index.js';
import { RequestCounters } from '../shared/counters.js';
import { FaultController, type FaultRule, type Latency } from '../shared/fault-rules.js';
import { listenPair } from '../shared/server.js';
import { TokenStore } from '../shared/tokens.js';
import { buildAuthorityServer } from './authority.js';
import { GraphDirectory } from './resources.js';
import { buildGraphServer } from './server.js';

export interface GraphSimulatorOptions {
  /** The tenant file's `entra` section (parsed: defaults applied). */
  entra: EntraSection;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Port of the Graph server; default 0 (ephemeral). */
  port?: number;
  /** Port of the authority server; default 0 (ephemeral). */
  authorityPort?: number;
  /** Access token lifetime, served as `expires_in` (default 3599, as Entra). */
  tokenTtlSeconds?: number;
  /**
   * Initial fault rules (a FaultController is created: fractional Retry-After allowed), or a controller to share with
   * other simulators.
   */
  faults?: FaultRule[] | FaultController;
  /** Applied to every request, before any rule. */
  latency?: Latency;
  /** Counters to share with other simulators (default: new ones). */
  counters?: RequestCounters;
  /** Application permissions per client id (default DEFAULT_APP_ROLES: User.Read.All, GroupMember.Read.All). */
  appRoles?: Record<string, string[]>;
}

export interface GraphSimulator {
  /** Authority base URL, e.g. http://127.0.0.1:41234 (token endpoint: `${authorityUrl}/${tenantId}/oauth2/v2.0/token`). */
  authorityUrl: string;
  /** Graph base URL, e.g. http://127.0.0.1:41235 (the API is under /v1.0). */
  graphUrl: string;
  entra: EntraSection;
  /** Fault rules of both servers (add/remove/clear, setLatency). */
  faults: FaultController;
  /** Per-path request counts of both servers, e.g. get('GET /v1.0/users'), get('POST /<tenant>/oauth2/v2.0/token'). */
  counters: RequestCounters;
  /** Expires every token issued so far. */
  expireAllTokens(): void;
  /**
   * Writes next links (and @odata.context) with this origin instead of the request's own; null restores it. For tests
   * of an extractor's origin check: a next link to another host must not be followed.
   */
  setNextLinkOrigin(origin: string | null): void;
  /** Sync settings that read this simulator's tenant, signed in as its first app registration. */
  syncSettings(): Required<Pick<SourceSettings, 'entra'>>;
  close(): Promise<void>;
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  const host = options.host ?? '127.0.0.1';
  const tokens = new TokenStore();
  let faults: FaultController;
  if (options.faults instanceof FaultController) {
    faults = options.faults;
    if (options.latency) faults.setLatency(options.latency);
  } else {
    faults = new FaultController(options.faults ?? [], options.latency ?? null);
  }
  const counters = options.counters ?? new RequestCounters();
  let graphUrl = '';
  let linkOrigin: string | undefined;

  const graph = await buildGraphServer({
    directory: new GraphDirectory(options.entra),
    tokens,
    faults,
    counters,
    linkOrigin: () => linkOrigin,
  });
  const authority = await buildAuthorityServer({
    entra: options.entra,
    tokens,
    faults,
    counters,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3599,
    graphUrl: () => graphUrl,
    ...(options.appRoles ? { appRoles: options.appRoles } : {}),
  });

  const servers = await listenPair(
    host,
    {
      app: graph,
      port: options.port,
      onListening: (url) => {
        graphUrl = url;
      },
    },
    { app: authority, port: options.authorityPort },
  );
  return {
    authorityUrl: servers.urls[1],
    graphUrl,
    entra: options.entra,
    faults,
    counters,
    expireAllTokens: () => tokens.expireAll(),
    setNextLinkOrigin: (origin) => {
      linkOrigin = origin === null ? undefined : new URL(origin).origin;
    },
    syncSettings: () => {
      const app = options.entra.clients[0];
      if (!app) throw new Error('the simulated Entra tenant has no app registration to sign in with');
      return {
        entra: {
          tenantId: options.entra.tenantId,
          clientId: app.clientId,
          clientSecret: app.clientSecret,
          authorityUrl: servers.urls[1],
          graphUrl,
        },
      };
    },
    close: servers.close,
  };
}
