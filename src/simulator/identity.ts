/**
 * The CyberArk Identity server of the simulator (shared/reference/cyberark-api.md §1.2–1.4, 2, 3, 4, 5, 6).
 * Read-only: write endpoints answer `success:false`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IdentityUser } from '../tenant/format/index.js';
import { cappedPageSize, type FaultController, faultInjection, type RequestCounters } from './faults.js';
import {
  bodyOf,
  headerValue,
  installBodyParsers,
  parseBasic,
  parseBearer,
  pick,
  queryOf,
  ROUTER_OPTIONS,
  truthy,
} from './http.js';
import {
  DSQ_GROUP_COLUMNS,
  DSQ_ROLE_COLUMNS,
  DSQ_USER_COLUMNS,
  directoryServiceRow,
  dsqGroupRow,
  dsqRoleRow,
  dsqUserRow,
  redrockTables,
} from './identity-data.js';
import { stableGuid, type TenantModel } from './model.js';
import {
  type ColumnDef,
  compileMongoFilter,
  fail,
  Memo,
  ok,
  type PageArgs,
  QueryError,
  type QueryResult,
  readArgs,
  resultSet,
  runQuery,
  type SourceRow,
  simpleResult,
  sortRows,
} from './redrock.js';
import type { TokenStore } from './tokens.js';

export interface IdentityServerOptions {
  model: TenantModel;
  tokens: TokenStore;
  faults: FaultController;
  counters: RequestCounters;
  tokenTtlSeconds: number;
  /** Scopes `/oauth2/token/{appId}` accepts, per app id (the tenant format has none); see DEFAULT_APP_SCOPES. */
  appScopes?: Record<string, string[]>;
  /** Identity base URL (known after listen), for the `iss` claim. */
  baseUrl: () => string;
  /** Body of injected 429/5xx responses. */
  errorBody: (status: number, message: string, request: FastifyRequest) => unknown;
}

/** Scopes accepted by `/oauth2/token/{appId}` when no `appScopes` entry names the app (§1.3, §9). */
export const DEFAULT_APP_SCOPES = ['api', 'openid', 'profile', 'email', 'isp.audit.events:read'];

export const WRITE_REFUSED = 'read-only simulator: write endpoints are refused';

/** Write endpoints from §3.6 (plus a few obvious siblings); all refused. */
export const IDENTITY_WRITE_ENDPOINTS = [
  '/Roles/StoreRole',
  '/SaasManage/StoreRole',
  '/Roles/UpdateRole',
  '/Roles/DeleteRole',
  '/SaasManage/AssignSuperRights',
  '/SaasManage/UnAssignSuperRights',
  '/SaasManage/AddUsersAndGroupsToRole',
  '/SaasManage/RemoveUsersAndGroupsFromRole',
  '/SaasManage/DeleteRole',
  '/Roles/SetDynamicRoleScript',
  '/CDirectoryService/CreateUser',
  '/CDirectoryService/ChangeUser',
  '/CDirectoryService/DeleteUser',
  '/UserMgmt/RemoveUsers',
  '/SaasManage/DeleteApplication',
  '/Acl/SetAces',
];

const OIDC_APP = '__idaptive_cybr_user_oidc';

type OAuthError = { status: number; error: string; description: string };

function oauthError(reply: FastifyReply, e: OAuthError): FastifyReply {
  return reply
    .code(e.status)
    .header('cache-control', 'no-store')
    .send({ error: e.error, error_description: e.description });
}

function formOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(bodyOf(request))) if (typeof v === 'string') out[k] = v;
  return out;
}

const APP_ROW_COLUMNS: ColumnDef[] = [
  'ID',
  '_RowKey',
  'Name',
  'DisplayName',
  'Description',
  'AppType',
  'TemplateName',
  'State',
].map((name) => ({ name, type: 'string' as const }));

export async function buildIdentityServer(opts: IdentityServerOptions): Promise<FastifyInstance> {
  const { model, tokens } = opts;
  const tenant = model.tenant;
  const app = Fastify({ logger: false, routerOptions: ROUTER_OPTIONS, forceCloseConnections: true });
  installBodyParsers(app);

  await app.register(faultInjection, {
    controller: opts.faults,
    counters: opts.counters,
    errorBody: opts.errorBody,
    expireToken: (request) => tokens.expire(parseBearer(headerValue(request, 'authorization'))),
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(fail(`not found: ${request.method} ${request.url.split('?')[0]}`));
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    reply.code(status).send(fail(error.message));
  });

  // ------------------------------------------------------------------------------------------------------------
  // OAuth (§1.2, §1.3)

  const ttl = opts.tokenTtlSeconds;
  const expiresIn = Math.max(1, Math.round(ttl));

  function authenticateClient(request: FastifyRequest, form: Record<string, string>) {
    const basic = parseBasic(headerValue(request, 'authorization'));
    const candidates: [string, string][] = [];
    if (basic) {
      candidates.push(basic);
      // RFC 6749 §2.3.1: Basic credentials are form-urlencoded first.
      try {
        candidates.push([decodeURIComponent(basic[0]), decodeURIComponent(basic[1])]);
      } catch {
        // keep the raw pair only
      }
    } else if (form.client_id !== undefined || form.client_secret !== undefined) {
      candidates.push([form.client_id ?? '', form.client_secret ?? '']);
    } else return { error: 'missing' as const };
    for (const [id, secret] of candidates) {
      const client = tenant.identity.oauthClients.find(
        (c) => c.clientId.toLowerCase() === id.toLowerCase() && c.clientSecret === secret,
      );
      if (client) return { client };
    }
    return { error: 'bad' as const, clientId: candidates[0]?.[0] ?? '' };
  }

  function clientClaims(clientId: string) {
    const user: IdentityUser | undefined = model.usersByName.get(clientId.toLowerCase());
    const sub = user?.id ?? stableGuid(`client:${clientId.toLowerCase()}`);
    const subdomain = tenant.privilegeCloud.subdomain;
    const display = user?.displayName ?? clientId;
    const [given, ...rest] = display.split(' ');
    const claims: Record<string, unknown> = {
      preferred_username: user?.username ?? clientId,
      unique_name: user?.username ?? clientId,
      sub,
      user_uuid: sub,
      ExternalUuid: sub,
      tenant_id: model.tenantGuid,
      idaptive_tenant_id: tenant.identity.tenantId,
      subdomain,
      platform_domain: 'cyberark.cloud',
      tenant_subdomain: `https://${subdomain}.cyberark.cloud`,
      aws_region: 'us-east-1',
      user_roles: user ? model.rolesOfUser(user.id).map((r) => r.name) : [],
      scope: 'openid api profile',
      aud: OIDC_APP,
      iss: `${opts.baseUrl()}/${OIDC_APP}/`,
      name: display,
      given_name: given ?? display,
      family_name: rest.join(' '),
    };
    if (user?.lastLogin) claims.last_login = Math.floor(Date.parse(user.lastLogin) / 1000);
    return claims;
  }

  const badClient = (what: 'missing' | 'bad'): OAuthError => ({
    status: 401,
    error: 'invalid_client',
    description: what === 'missing' ? 'client authentication is required' : 'client authentication failed',
  });

  app.post('/oauth2/platformtoken', async (request, reply) => {
    const form = formOf(request);
    const grant = form.grant_type;
    if (!grant)
      return oauthError(reply, { status: 400, error: 'invalid_request', description: 'grant_type is required' });
    if (grant !== 'client_credentials') {
      return oauthError(reply, {
        status: 400,
        error: 'unsupported_grant_type',
        description: `grant type "${grant}" is not supported`,
      });
    }
    const auth = authenticateClient(request, form);
    if (!auth.client) return oauthError(reply, badClient(auth.error));
    const record = tokens.issueJwt('platform', auth.client.clientId, ttl, clientClaims(auth.client.clientId));
    return reply
      .header('cache-control', 'no-store')
      .send({ access_token: record.token, token_type: 'Bearer', expires_in: expiresIn });
  });

  app.post<{ Params: { appId: string } }>('/oauth2/token/:appId', async (request, reply) => {
    const form = formOf(request);
    const appId = request.params.appId;
    const grant = form.grant_type;
    if (!grant)
      return oauthError(reply, { status: 400, error: 'invalid_request', description: 'grant_type is required' });
    if (grant !== 'client_credentials') {
      return oauthError(reply, {
        status: 400,
        error: 'unsupported_grant_type',
        description: `grant type "${grant}" is not supported by the simulator`,
      });
    }
    const auth = authenticateClient(request, form);
    if (!auth.client) return oauthError(reply, badClient(auth.error));
    if (!auth.client.appIds.some((a) => a.toLowerCase() === appId.toLowerCase())) {
      return oauthError(reply, {
        status: 400,
        error: 'unauthorized_client',
        description: `client is not authorized for application "${appId}"`,
      });
    }
    const allowed = opts.appScopes?.[appId] ?? DEFAULT_APP_SCOPES;
    const requested = (form.scope ?? '').split(/\s+/).filter(Boolean);
    const badScope = requested.find((s) => !allowed.includes(s));
    if (requested.length === 0 || badScope !== undefined) {
      return oauthError(reply, {
        status: 400,
        error: 'invalid_scope',
        description: requested.length === 0 ? 'scope is required' : `scope "${badScope}" is not allowed`,
      });
    }
    const scope = requested.join(' ');
    const claims = { ...clientClaims(auth.client.clientId), aud: appId, scope };
    const record = tokens.issueJwt('app', auth.client.clientId, ttl, claims, { appId, scope });
    return reply
      .header('cache-control', 'no-store')
      .send({ access_token: record.token, token_type: 'Bearer', expires_in: expiresIn });
  });

  // ------------------------------------------------------------------------------------------------------------
  // Authenticated endpoints

  const tables = redrockTables(model);
  // DirectoryServiceQuery rows are built on first use and kept (the tenant is immutable while serving).
  const lazy = <T>(build: () => T): (() => T) => {
    let value: T | undefined;
    return () => {
      value ??= build();
      return value;
    };
  };
  const dsqRows = {
    users: lazy(() => tenant.identity.users.map((u) => dsqUserRow(model, u))),
    groups: lazy(() => tenant.identity.groups.map((g) => dsqGroupRow(model, g))),
    roles: lazy(() => tenant.identity.roles.map(dsqRoleRow)),
  };
  const dsqCache = new Memo<SourceRow[]>();

  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const check = tokens.check(parseBearer(headerValue(request, 'authorization')));
      if (check.status !== 'valid' || check.record.kind === 'pas') {
        const why =
          check.status === 'expired'
            ? 'the access token has expired'
            : check.status === 'unknown'
              ? 'a valid bearer token is required'
              : 'the access token is not valid here';
        return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send(fail(why));
      }
      // §1.4: a missing native-client header gives 401. Older clients send X-CENTRIFY-NATIVE-CLIENT.
      const native = headerValue(request, 'x-idap-native-client') ?? headerValue(request, 'x-centrify-native-client');
      if (!truthy(native)) {
        return reply.code(401).send(fail('the X-IDAP-NATIVE-CLIENT: true header is required'));
      }
    });

    const cap = (request: FastifyRequest) => cappedPageSize(request, Number.POSITIVE_INFINITY);
    const capOf = (request: FastifyRequest) => {
      const c = cap(request);
      return Number.isFinite(c) ? c : undefined;
    };

    api.post('/Redrock/query', async (request) => {
      const body = bodyOf(request);
      const script = pick(body, 'Script');
      if (typeof script !== 'string' || script.trim() === '') return fail('Script is required');
      try {
        return ok(runQuery(script, tables, readArgs(body), capOf(request)));
      } catch (error) {
        if (error instanceof QueryError) return fail(`Query failed: ${error.message}`);
        throw error;
      }
    });

    const directoryServices = async (request: FastifyRequest) => {
      const rows = tenant.identity.directoryServices.map((d) => directoryServiceRow(model, d));
      const columns = [
        'Service',
        'DisplayName',
        'Tenant',
        'Name',
        'Status',
        'Config',
        'StatusDisplay',
        'Everybody',
        'Description',
        'DisplayNameShort',
        'directoryServiceUuid',
        'Forest',
      ].map((name) => ({ name, type: 'string' as const }));
      // Served in tenant order (CDS first, as in the §6.1 sample), not sorted by key.
      return ok(
        resultSet({
          tableName: 'DirectoryServices',
          key: 'directoryServiceUuid',
          projection: columns.map((c) => ({ out: c.name, column: c })),
          rows,
          args: readArgs(bodyOf(request)),
          cap: capOf(request),
          columnsMeta: false,
          matchFilter: false,
        }),
      );
    };
    api.get('/Core/GetDirectoryServices', directoryServices);
    api.post('/Core/GetDirectoryServices', directoryServices);

    api.post('/UserMgmt/DirectoryServiceQuery', async (request) => {
      const body = bodyOf(request);
      const args = readArgs(body);
      const c = capOf(request);
      const dirFilter = pick(body, 'directoryServices');
      const dirs =
        Array.isArray(dirFilter) && dirFilter.length > 0
          ? new Set(dirFilter.filter((d): d is string => typeof d === 'string').map((d) => d.toLowerCase()))
          : undefined;
      const inDirs = (r: SourceRow) => !dirs || dirs.has(String(r.values.DirectoryServiceUuid).toLowerCase());
      const dirKey = dirs ? [...dirs].sort().join(',') : '*';
      try {
        const result: Record<string, QueryResult> = {};
        const sub = (
          key: string,
          tableName: string,
          primary: string,
          columns: ColumnDef[],
          rows: () => SourceRow[],
          byDirectory: boolean,
        ): QueryResult | undefined => {
          const raw = pick(body, key);
          if (raw === undefined || raw === null) return undefined;
          let filter: unknown = {};
          if (typeof raw === 'string') {
            if (raw.trim() !== '') {
              try {
                filter = JSON.parse(raw);
              } catch {
                throw new QueryError(`"${key}" is not a JSON-encoded filter`);
              }
            }
          } else filter = raw;
          const predicate = compileMongoFilter(filter, columns);
          const order = sortKeys(columns, args);
          // Rows are immutable: the filtered and sorted list serves every page of the same query.
          const cacheKey = JSON.stringify([key, filter, byDirectory ? dirKey : '*', order]);
          const selected = dsqCache.get(cacheKey, () =>
            sortRows(
              rows().filter((r) => (!byDirectory || inDirs(r)) && predicate(r.values)),
              order,
              primary,
            ),
          );
          return dsqResult(tableName, primary, columns, selected, args, c);
        };
        const users = sub('user', 'User', 'InternalName', DSQ_USER_COLUMNS, dsqRows.users, true);
        const groups = sub('group', 'Group', 'InternalName', DSQ_GROUP_COLUMNS, dsqRows.groups, true);
        const roles = sub('roles', 'Role', '_ID', DSQ_ROLE_COLUMNS, dsqRows.roles, false);
        if (users) result.User = users;
        if (groups) result.Group = groups;
        if (roles) result.roles = roles;
        return ok(result);
      } catch (error) {
        if (error instanceof QueryError) return fail(`Query failed: ${error.message}`);
        throw error;
      }
    });

    api.post('/Roles/GetRoleMembers', async (request) => {
      const body = bodyOf(request);
      const roleId = stringParam(pick(body, 'Name', 'name') ?? queryOf(request).name);
      if (!roleId) return fail('role id (Name) is required');
      const role = model.role(roleId);
      if (!role) return fail(`role "${roleId}" does not exist`);
      // Script (dynamic) and Everybody roles have no listable members (§3.1).
      const members = role.roleType === 'PrincipalList' ? role.members : [];
      const rows: SourceRow[] = members.map((m) => {
        const id =
          m.type === 'User'
            ? (model.user(m.id)?.id ?? m.id)
            : m.type === 'Role'
              ? (model.role(m.id)?.id ?? m.id)
              : (model.groupsById.get(m.id.toLowerCase())?.id ?? m.id);
        return {
          values: { Guid: id, Name: model.principalName(m.type, m.id), Type: m.type },
          entities: [{ Type: m.type, Key: id, IsForeignKey: false }],
        };
      });
      return ok(
        simpleResult('RoleMembers', 'Guid', columnsOf('Guid', 'Name', 'Type'), rows, readArgs(body), capOf(request)),
      );
    });

    api.post('/Core/GetAssignedAdministrativeRights', async (request) => {
      const body = bodyOf(request);
      const roleId = stringParam(queryOf(request).role ?? pick(body, 'role', 'Role'));
      if (!roleId) return fail('role is required');
      const role = model.role(roleId);
      if (!role) return fail(`role "${roleId}" does not exist`);
      const rows: SourceRow[] = role.adminRights.map((r) => ({
        values: { Description: r.description, Path: r.path },
        entities: [{ Type: 'AdministrativeRight', Key: r.path, IsForeignKey: false }],
      }));
      return ok(
        simpleResult(
          'AdministrativeRights',
          'Path',
          columnsOf('Description', 'Path'),
          rows,
          readArgs(body),
          capOf(request),
        ),
      );
    });

    api.post('/SaasManage/GetRoleApps', async (request) => {
      const body = bodyOf(request);
      const roleId = stringParam(queryOf(request).role ?? pick(body, 'role', 'Role'));
      if (!roleId) return fail('role is required');
      const role = model.role(roleId);
      if (!role) return fail(`role "${roleId}" does not exist`);
      const rows = model.appsOfRole(role.id).map(appRow);
      return ok(simpleResult('Application', 'ID', APP_ROW_COLUMNS, rows, readArgs(body), capOf(request)));
    });

    api.post('/Acl/GetRowAces', async (request) => {
      const body = bodyOf(request);
      const rowKey = stringParam(pick(body, 'RowKey'));
      const table = stringParam(pick(body, 'Table')) ?? 'Application';
      if (!rowKey) return fail('RowKey is required');
      if (table.toLowerCase() !== 'application')
        return fail(`ACLs of table "${table}" are not supported by the simulator`);
      const application = model.app(rowKey);
      if (!application) return fail(`application "${rowKey}" does not exist`);
      // ReduceSysadmin: the simulator adds no implicit sysadmin ACE, so there is nothing to reduce.
      return ok(
        application.acl.map((e) => ({
          Principal: e.principalId,
          PrincipalName: model.principalName(e.principalType, e.principalId),
          PrincipalType: e.principalType,
          // §5: the encoding of bit 31 is UNCONFIRMED; serve the harder case, a negative 32-bit integer.
          Grant: e.grant | 0,
        })),
      );
    });

    api.post('/UPRest/GetResultantAppsForUser', async (request) => {
      const body = bodyOf(request);
      const userId = stringParam(queryOf(request).useruuid ?? pick(body, 'userUuid', 'ID'));
      if (!userId) return fail('userUuid is required');
      const user = model.user(userId);
      if (!user) return fail(`user "${userId}" does not exist`);
      // §5: the sources disagree on the shape; the simulator serves the Redrock form.
      const rows = model.appsOfUser(user.id).map(appRow);
      return ok(simpleResult('Application', 'ID', APP_ROW_COLUMNS, rows, readArgs(body), capOf(request)));
    });

    api.post('/UserMgmt/GetUsersRolesAndAdministrativeRights', async (request) => {
      const body = bodyOf(request);
      const userId = stringParam(queryOf(request).id ?? pick(body, 'ID'));
      if (!userId) return fail('ID is required');
      const user = model.user(userId);
      if (!user) return fail(`user "${userId}" does not exist`);
      // §4: both Row.Name and Row.RoleName have been seen; serve both.
      const rows: SourceRow[] = model.rolesOfUser(user.id).map((r) => ({
        values: {
          ID: r.id,
          Name: r.name,
          RoleName: r.name,
          Description: r.description,
          AdministrativeRights: r.adminRights.map((a) => ({ Description: a.description, Path: a.path })),
        },
        entities: [{ Type: 'Role', Key: r.id, IsForeignKey: false }],
      }));
      const columns = columnsOf('Name', 'RoleName', 'Description', 'AdministrativeRights');
      return ok(simpleResult('Role', 'ID', columns, rows, readArgs(body), capOf(request)));
    });

    api.post('/UserMgmt/GetUserAttributes', async (request) => {
      const body = bodyOf(request);
      const userId = stringParam(pick(body, 'ID') ?? queryOf(request).id);
      if (!userId) return fail('ID is required');
      const user = model.user(userId);
      if (!user) return fail(`user "${userId}" does not exist`);
      return ok({
        Uuid: user.id,
        Name: user.username,
        DisplayName: user.displayName,
        Mail: user.email,
        MobileNumber: user.mobileNumber,
        InEverybodyRole: !user.serviceUser && !user.oauthClient,
        OauthClient: user.oauthClient,
        ServiceUser: user.serviceUser || user.oauthClient,
        State: user.locked ? 'Locked' : user.enabled ? 'None' : 'Disabled',
        PasswordNeverExpire: user.serviceUser || user.oauthClient,
        DirectoryServiceUuid: user.directoryServiceUuid,
      });
    });

    api.post('/Roles/GetRole', async (request) => {
      const body = bodyOf(request);
      const roleId = stringParam(queryOf(request).name ?? pick(body, 'Name', 'name'));
      if (!roleId) return fail('Name is required');
      const role = model.role(roleId);
      if (!role) return fail(`role "${roleId}" does not exist`);
      return ok({
        ReadOnly: role.readOnly,
        Description: role.description,
        DirectoryServiceUuid: role.directoryServiceUuid ?? null,
        _RowKey: role.id,
        RoleType: role.roleType,
        Name: role.name,
        Uuid: role.id,
      });
    });

    for (const path of IDENTITY_WRITE_ENDPOINTS) api.post(path, async () => fail(WRITE_REFUSED, 'ReadOnly'));
  });

  return app;

  function appRow(a: { id: string; name: string; displayName: string; description: string | null }): SourceRow {
    const full = model.app(a.id)!;
    return {
      values: {
        ID: full.id,
        _RowKey: full.id,
        Name: full.name,
        DisplayName: full.displayName,
        Description: full.description,
        AppType: full.appType,
        TemplateName: full.templateName,
        State: full.state,
      },
      entities: [{ Type: 'Application', Key: full.id, IsForeignKey: false }],
    };
  }
}

function stringParam(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number') return String(v);
  return undefined;
}

function columnsOf(...names: string[]): ColumnDef[] {
  return names.map((name) => ({ name, type: name === 'AdministrativeRights' ? 'object' : 'string' }));
}

function sortKeys(columns: ColumnDef[], args: PageArgs) {
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  return args.sortBy.map((s) => {
    const name = byLower.get(s.toLowerCase());
    if (!name) throw new QueryError(`unknown sort column "${s}"`);
    return { column: name, desc: !args.ascending, nocase: true };
  });
}

/** A DirectoryServiceQuery sub-result over rows already filtered and sorted. */
function dsqResult(
  tableName: string,
  key: string,
  columns: ColumnDef[],
  rows: SourceRow[],
  args: PageArgs,
  cap: number | undefined,
): QueryResult {
  return resultSet({
    tableName,
    key,
    projection: columns.map((c) => ({ out: c.name, column: c })),
    rows,
    args,
    cap,
    columnsMeta: true,
    matchFilter: false,
  });
}
