/**
 * The Privilege Cloud / self-hosted PAS server of the simulator: REST API v2 under /PasswordVault/API
 * (shared/reference/cyberark-api.md §1.5, §7). Read-only.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { permissionsToFlags } from '../graph/permissions.js';
import type { Account, Safe, SafeMember, VaultGroup, VaultUser } from '../tenant/format/index.js';
import { cappedPageSize, type FaultController, faultInjection, type RequestCounters } from './faults.js';
import {
  bodyOf,
  headerValue,
  installBodyParsers,
  intParam,
  parseBearer,
  pick,
  type Query,
  queryOf,
  ROUTER_OPTIONS,
  rawQueryPairs,
  truthy,
} from './http.js';
import type { TenantModel } from './model.js';
import type { TokenStore } from './tokens.js';

export interface PCloudServerOptions {
  model: TenantModel;
  tokens: TokenStore;
  faults: FaultController;
  counters: RequestCounters;
  pasSessionTtlSeconds: number;
  errorBody: (status: number, message: string, request: FastifyRequest) => unknown;
}

const API = '/PasswordVault/API';

// PASWS code values are UNCONFIRMED (§7.5) except PASWS027E "safe not found" (third-party mocks) and the ones the
// brief fixes (ITATS127E logon failure, PASWS167E accounts limit).
export const PAS_ERRORS = {
  unauthorized: 'PASWS006E',
  logonFailed: 'ITATS127E',
  safeNotFound: 'PASWS027E',
  badParameter: 'PASWS160E',
  accountsLimit: 'PASWS167E',
  notFound: 'PASWS404E',
} as const;

class PasError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ ErrorCode: code, ErrorMessage: message });
}

function badParam(message: string): PasError {
  return new PasError(400, PAS_ERRORS.badParameter, message);
}

/** offset/limit with defaults; invalid values → 400. */
function paging(q: Query, defaultLimit: number): { offset: number; limit: number } {
  const offset = intParam(q.offset) ?? 0;
  const limit = intParam(q.limit) ?? defaultLimit;
  if (Number.isNaN(offset)) throw badParam(`invalid offset "${q.offset}"`);
  if (Number.isNaN(limit) || limit < 1) throw badParam(`invalid limit "${q.limit}"`);
  return { offset, limit };
}

/** `API/Safes?offset=..&limit=..` + the other query parameters of the request (original spelling and order). */
function nextLink(
  request: FastifyRequest,
  path: string,
  offset: number,
  limit: number,
  lead: [string, string][] = [],
): string {
  const skip = new Set(['offset', 'limit', ...lead.map(([k]) => k.toLowerCase())]);
  const pairs: [string, string][] = [['offset', String(offset)], ['limit', String(limit)], ...lead];
  for (const [k, v] of rawQueryPairs(request)) if (!skip.has(k.toLowerCase())) pairs.push([k, v]);
  return `${path}?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

export interface FilterTerm {
  key: string;
  op: string;
  value: string;
}

/**
 * Parses `key op value [AND key op value ...]` (keys and AND case-insensitive). A value is either quoted ('...' or
 * "...") or runs unquoted, spaces included, up to the next ` AND <known key> <op> ` or the end.
 */
export function parseFilter(filter: string, keys: readonly string[], ops: readonly string[] = ['eq']): FilterTerm[] {
  const keyAlt = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const opAlt = ops.join('|');
  const head = new RegExp(`^(${keyAlt})\\s+(${opAlt})\\s+`, 'i');
  const nextTerm = new RegExp(`\\s+and\\s+(?=(${keyAlt})\\s+(${opAlt})\\s)`, 'i');
  const terms: FilterTerm[] = [];
  let rest = filter.trim();
  while (rest.length > 0) {
    const m = head.exec(rest);
    if (!m) throw badParam(`unsupported filter "${filter}" (supported: ${keys.join(', ')} with ${ops.join('/')})`);
    const key = keys.find((k) => k.toLowerCase() === m[1]!.toLowerCase())!;
    rest = rest.slice(m[0].length);
    let value: string;
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      const end = rest.indexOf(quote, 1);
      if (end === -1) throw badParam(`unterminated quote in filter "${filter}"`);
      value = rest.slice(1, end);
      rest = rest.slice(end + 1);
      const and = /^\s+and\s+/i.exec(rest);
      if (and) rest = rest.slice(and[0].length);
      else if (rest.trim() !== '') throw badParam(`unexpected text after ${key} in filter "${filter}"`);
      else rest = '';
    } else {
      const n = nextTerm.exec(rest);
      value = (n ? rest.slice(0, n.index) : rest).trim();
      rest = n ? rest.slice(n.index + n[0].length) : '';
    }
    terms.push({ key, op: m[2]!.toLowerCase(), value });
  }
  return terms;
}

function boolTerm(t: FilterTerm): boolean {
  const v = t.value.toLowerCase();
  if (v !== 'true' && v !== 'false') throw badParam(`${t.key} must be true or false`);
  return v === 'true';
}

/** `sort=field [asc|desc][, field ...]` → comparator; only the listed fields are accepted. */
function sorter<T>(sort: string | undefined, fields: Record<string, (t: T) => string | number | undefined>) {
  if (!sort || sort.trim() === '') return undefined;
  const keys = sort.split(',').map((part) => {
    const [field = '', dir = 'asc', ...extra] = part.trim().split(/\s+/);
    const name = Object.keys(fields).find((f) => f.toLowerCase() === field.toLowerCase());
    if (!name || extra.length > 0 || !['asc', 'desc'].includes(dir.toLowerCase())) {
      throw badParam(`unsupported sort "${sort}"`);
    }
    return { get: fields[name]!, desc: dir.toLowerCase() === 'desc' };
  });
  return (a: T, b: T): number => {
    for (const k of keys) {
      const x = k.get(a);
      const y = k.get(b);
      const c =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x ?? '')
              .toLowerCase()
              .localeCompare(String(y ?? '').toLowerCase());
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

export function safeUrlId(name: string): string {
  return encodeURIComponent(name);
}

/** Safe object with the §7.1 field order (as recorded on ISPSS). */
function safeObject(model: TenantModel, s: Safe, opts: { includeAccounts: boolean; extendedDetails: boolean }) {
  // extendedDetails=false "returns only safeName"; the exact reduced set is UNCONFIRMED (§7.1). safeUrlId is kept so
  // that members can still be listed.
  const base: Record<string, unknown> = opts.extendedDetails
    ? {
        safeNumber: s.safeNumber,
        location: s.location,
        creator: { id: s.creator.id, name: s.creator.name },
        olacEnabled: s.olacEnabled,
        numberOfVersionsRetention: s.numberOfVersionsRetention,
        numberOfDaysRetention: s.numberOfDaysRetention,
        autoPurgeEnabled: s.autoPurgeEnabled,
        creationTime: s.creationTime,
        lastModificationTime: s.lastModificationTime,
        safeUrlId: safeUrlId(s.name),
        safeName: s.name,
        description: s.description,
        managingCPM: s.managingCPM,
        isExpiredMember: false,
      }
    : { safeUrlId: safeUrlId(s.name), safeName: s.name };
  if (opts.includeAccounts) base.accounts = model.accountsOfSafe(s.name).map((a) => ({ id: a.id, name: a.name }));
  return base;
}

function isExpired(m: SafeMember, nowSeconds: number): boolean {
  return m.membershipExpirationDate !== null && m.membershipExpirationDate < nowSeconds;
}

/** Member object with the §7.2 field order and all 22 permissions in documented order. */
function memberObject(s: Safe, m: SafeMember, nowSeconds: number) {
  return {
    safeUrlId: safeUrlId(s.name),
    safeName: s.name,
    safeNumber: s.safeNumber,
    memberId: m.memberId,
    memberName: m.memberName,
    memberType: m.memberType,
    membershipExpirationDate: m.membershipExpirationDate,
    isExpiredMembershipEnable: isExpired(m, nowSeconds),
    isPredefinedUser: m.isPredefinedUser,
    isReadOnly: m.isReadOnly,
    permissions: permissionsToFlags(m.permissions),
  };
}

/** Account object with the §7.3 field order; missing optional fields are omitted. */
function accountObject(a: Account) {
  const out: Record<string, unknown> = { platformId: a.platformId, safeName: a.safeName, id: a.id, name: a.name };
  if (a.address !== undefined) out.address = a.address;
  if (a.userName !== undefined) out.userName = a.userName;
  out.secretType = a.secretType;
  const sm: Record<string, unknown> = { automaticManagementEnabled: a.automaticManagementEnabled };
  if (a.manualManagementReason !== undefined) sm.manualManagementReason = a.manualManagementReason;
  if (a.status !== undefined) sm.status = a.status;
  if (a.lastModifiedTime !== undefined) sm.lastModifiedTime = a.lastModifiedTime;
  if (a.lastReconciledTime !== undefined) sm.lastReconciledTime = a.lastReconciledTime;
  if (a.lastVerifiedTime !== undefined) sm.lastVerifiedTime = a.lastVerifiedTime;
  out.secretManagement = sm;
  if (a.remoteMachines !== undefined) {
    out.remoteMachinesAccess = { remoteMachines: a.remoteMachines, accessRestrictedToRemoteMachines: false };
  }
  out.createdTime = a.createdTime;
  return out;
}

function userObject(u: VaultUser, groups: readonly VaultGroup[] | undefined) {
  const out: Record<string, unknown> = {
    id: u.id,
    username: u.username,
    source: u.source,
    userType: u.userType,
    componentUser: u.componentUser,
    vaultAuthorization: u.vaultAuthorization,
    location: '\\',
    personalDetails: { firstName: u.firstName, middleName: '', lastName: u.lastName },
  };
  if (u.uuid !== undefined) out.UUID = u.uuid;
  if (groups) {
    out.groupsMembership = groups
      .filter((g) => g.members.some((m) => m.id === u.id))
      .map((g) => ({ groupID: g.id, groupName: g.groupName, groupType: g.groupType }));
  }
  return out;
}

function groupObject(g: VaultGroup, includeMembers: boolean) {
  const out: Record<string, unknown> = {
    id: g.id,
    groupType: g.groupType,
    groupName: g.groupName,
    description: g.description,
    location: '\\',
  };
  if (g.directory !== undefined) out.directory = g.directory;
  if (g.dn !== undefined) out.dn = g.dn;
  if (includeMembers) out.members = g.members.map((m) => ({ UserName: m.username, id: m.id }));
  return out;
}

export async function buildPCloudServer(opts: PCloudServerOptions): Promise<FastifyInstance> {
  const { model, tokens } = opts;
  const pc = model.tenant.privilegeCloud;
  const app = Fastify({ logger: false, routerOptions: ROUTER_OPTIONS, forceCloseConnections: true });
  installBodyParsers(app);

  /** The credential a request presents: `Bearer <platform token>` (ISPSS) or a raw PAS session token. */
  const presented = (request: FastifyRequest): { token: string | undefined; bearer: boolean } => {
    const header = headerValue(request, 'authorization');
    const bearer = parseBearer(header);
    return bearer !== undefined
      ? { token: bearer, bearer: true }
      : { token: header?.trim() || undefined, bearer: false };
  };

  await app.register(faultInjection, {
    controller: opts.faults,
    counters: opts.counters,
    errorBody: opts.errorBody,
    expireToken: (request) => tokens.expire(presented(request).token),
  });

  app.setNotFoundHandler((request, reply) => {
    send(reply, 404, PAS_ERRORS.notFound, `The requested resource was not found: ${request.url.split('?')[0]}`);
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof PasError) return send(reply, error.status, error.code, error.message);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return send(reply, status, status === 500 ? 'PASWS500E' : PAS_ERRORS.badParameter, error.message);
  });

  // §1.5 self-hosted logon: JSON body, answer is a JSON string (quoted) token.
  app.post<{ Params: { method: string } }>(`${API}/Auth/:method/Logon`, async (request, reply) => {
    const method = ['CyberArk', 'LDAP', 'RADIUS', 'Windows'].find(
      (m) => m.toLowerCase() === request.params.method.toLowerCase(),
    );
    if (!method)
      return send(reply, 404, PAS_ERRORS.notFound, `unknown authentication method "${request.params.method}"`);
    const body = bodyOf(request);
    const username = pick(body, 'username');
    const password = pick(body, 'password');
    const login = pc.pasLogins.find(
      (l) =>
        typeof username === 'string' &&
        l.username.toLowerCase() === username.toLowerCase() &&
        l.password === password &&
        l.method === method,
    );
    if (!login) {
      return send(reply, 401, PAS_ERRORS.logonFailed, `Authentication failure for User [${String(username ?? '')}].`);
    }
    const record = tokens.issueOpaque(login.username, opts.pasSessionTtlSeconds);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(record.token));
  });

  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const { token, bearer } = presented(request);
      const check = tokens.check(token);
      // ISPSS takes `Bearer <platform token>`; self-hosted takes the raw session token (no "Bearer").
      const fits = check.status === 'valid' && (bearer ? check.record.kind !== 'pas' : check.record.kind === 'pas');
      if (!fits) {
        const message =
          check.status === 'expired' || check.status === 'revoked'
            ? 'Your session has expired. Please log in again.'
            : 'Authentication is required (Authorization header missing or not valid).';
        return send(reply, 401, PAS_ERRORS.unauthorized, message);
      }
    });

    api.post(`${API}/Auth/Logoff`, async (request, reply) => {
      const { token, bearer } = presented(request);
      if (token && !bearer) tokens.revoke(token);
      return reply.send({});
    });

    api.get(`${API}/Safes`, async (request) => {
      const q = queryOf(request);
      const { offset, limit } = paging(q, 25);
      let safes = [...pc.safes];
      if (q.search) {
        const needle = q.search.toLowerCase();
        safes = safes.filter((s) => s.name.toLowerCase().includes(needle));
      }
      const order = sorter<Safe>(q.sort, {
        safeName: (s) => s.name,
        managingCPM: (s) => s.managingCPM,
        safeNumber: (s) => s.safeNumber,
      });
      if (order) safes.sort(order);
      const served = cappedPageSize(request, limit);
      const page = safes.slice(offset, offset + served);
      const next = offset + page.length;
      const detail = {
        includeAccounts: truthy(q.includeaccounts),
        extendedDetails: q.extendeddetails === undefined || truthy(q.extendeddetails),
      };
      const out: Record<string, unknown> = {
        value: page.map((s) => safeObject(model, s, detail)),
        count: safes.length,
      };
      // §7.1: relative to /PasswordVault/, only while more remain, keeping the other query parameters.
      if (next < safes.length) out.nextLink = nextLink(request, 'API/Safes', next, limit, [['useCache', 'False']]);
      return out;
    });

    const findSafe = (id: string): Safe => {
      const safe = model.safesByName.get(id);
      if (!safe) throw new PasError(404, PAS_ERRORS.safeNotFound, `Safe ${id} was not found.`);
      return safe;
    };

    api.get<{ Params: { safeUrlId: string } }>(`${API}/Safes/:safeUrlId`, async (request) => {
      const q = queryOf(request);
      const safe = findSafe(request.params.safeUrlId);
      return safeObject(model, safe, {
        includeAccounts: truthy(q.includeaccounts),
        extendedDetails: q.extendeddetails === undefined || truthy(q.extendeddetails),
      });
    });

    api.get<{ Params: { safeUrlId: string } }>(`${API}/Safes/:safeUrlId/Members`, async (request) => {
      const q = queryOf(request);
      const safe = findSafe(request.params.safeUrlId);
      const { offset, limit } = paging(q, 25);
      const terms = q.filter
        ? parseFilter(q.filter, ['memberType', 'membershipExpired', 'includePredefinedUsers'])
        : [];
      // §7.2: the default of includePredefinedUsers is UNCONFIRMED; the simulator follows the ISPSS capture, where a
      // request without the filter returned no predefined users.
      let includePredefined = false;
      const now = Math.floor(Date.now() / 1000);
      let members = [...safe.members];
      for (const t of terms) {
        if (t.key === 'includePredefinedUsers') includePredefined = boolTerm(t);
        else if (t.key === 'membershipExpired') {
          const want = boolTerm(t);
          members = members.filter((m) => isExpired(m, now) === want);
        } else {
          const v = t.value.toLowerCase();
          if (!['user', 'group', 'role'].includes(v)) throw badParam('memberType must be user or group');
          // A Role member counts as a group (in the ISPSS capture Identity roles appear as Group).
          members = members.filter((m) =>
            v === 'user' ? m.memberType === 'User' : v === 'group' ? m.memberType !== 'User' : m.memberType === 'Role',
          );
        }
      }
      if (!includePredefined) members = members.filter((m) => !m.isPredefinedUser);
      if (q.search) {
        const needle = q.search.toLowerCase();
        members = members.filter((m) => m.memberName.toLowerCase().includes(needle));
      }
      const order = sorter<SafeMember>(q.sort, { memberName: (m) => m.memberName, memberType: (m) => m.memberType });
      if (order) members.sort(order);
      const served = cappedPageSize(request, limit);
      const page = members.slice(offset, offset + served);
      const next = offset + page.length;
      const out: Record<string, unknown> = {
        value: page.map((m) => memberObject(safe, m, now)),
        count: members.length,
      };
      if (next < members.length)
        out.nextLink = nextLink(request, `API/Safes/${safeUrlId(safe.name)}/Members`, next, limit);
      return out;
    });

    api.get<{ Params: { safeUrlId: string; memberName: string } }>(
      `${API}/Safes/:safeUrlId/Members/:memberName`,
      async (request) => {
        const safe = findSafe(request.params.safeUrlId);
        const wanted = request.params.memberName.toLowerCase();
        const member = safe.members.find((m) => m.memberName.toLowerCase() === wanted);
        if (!member) {
          throw new PasError(
            404,
            PAS_ERRORS.notFound,
            `Member ${request.params.memberName} was not found in safe ${safe.name}.`,
          );
        }
        return memberObject(safe, member, Math.floor(Date.now() / 1000));
      },
    );

    api.get(`${API}/Accounts`, async (request) => {
      const q = queryOf(request);
      const { offset, limit } = paging(q, 50);
      // §7.3: the documented maximum is 1000; the answer above it is UNCONFIRMED (§11.8 suggests 400).
      if (limit > 1000) {
        throw new PasError(
          400,
          PAS_ERRORS.accountsLimit,
          `The limit parameter must be between 1 and 1000 (got ${limit}).`,
        );
      }
      let accounts: Account[] = pc.accounts;
      for (const t of q.filter ? parseFilter(q.filter, ['safeName', 'modificationTime'], ['eq', 'gte']) : []) {
        if (t.key === 'safeName') {
          if (t.op !== 'eq') throw badParam('safeName supports eq only');
          const ofSafe = model.accountsOfSafe(t.value);
          if (accounts === pc.accounts) accounts = ofSafe;
          else {
            const current = new Set(accounts);
            accounts = ofSafe.filter((a) => current.has(a));
          }
        } else {
          const since = Number(t.value);
          if (t.op !== 'gte' || !Number.isFinite(since)) throw badParam('modificationTime needs gte <epoch seconds>');
          accounts = accounts.filter((a) => (a.lastModifiedTime ?? a.createdTime) >= since);
        }
      }
      if (q.search?.trim()) {
        const words = q.search.toLowerCase().split(/\s+/).filter(Boolean);
        const startsWith = (q.searchtype ?? 'contains').toLowerCase() === 'startswith';
        accounts = accounts.filter((a) => {
          const fields = [a.name, a.userName, a.address, a.platformId, a.safeName]
            .filter((f): f is string => !!f)
            .map((f) => f.toLowerCase());
          return words.every((w) => fields.some((f) => (startsWith ? f.startsWith(w) : f.includes(w))));
        });
      }
      const order = sorter<Account>(q.sort, {
        name: (a) => a.name,
        userName: (a) => a.userName,
        address: (a) => a.address,
        platformId: (a) => a.platformId,
        safeName: (a) => a.safeName,
        createdTime: (a) => a.createdTime,
      });
      if (order) accounts = [...accounts].sort(order);
      const served = cappedPageSize(request, limit);
      const page = accounts.slice(offset, offset + served);
      const next = offset + page.length;
      const out: Record<string, unknown> = { value: page.map(accountObject), count: accounts.length };
      if (next < accounts.length) out.nextLink = nextLink(request, 'api/Accounts', next, limit);
      return out;
    });

    api.get<{ Params: { id: string } }>(`${API}/Accounts/:id`, async (request) => {
      const account = model.accountsById.get(request.params.id);
      if (!account) throw new PasError(404, PAS_ERRORS.notFound, `Account ${request.params.id} was not found.`);
      return accountObject(account);
    });

    api.get(`${API}/Users`, async (request) => {
      const q = queryOf(request);
      let users = pc.vaultUsers;
      if (q.search) {
        const needle = q.search.toLowerCase();
        users = users.filter((u) => u.username.toLowerCase().includes(needle));
      }
      const extended = truthy(q.extendeddetails);
      // §7.4: no paging.
      return { Users: users.map((u) => userObject(u, extended ? pc.vaultGroups : undefined)), Total: users.length };
    });

    api.get(`${API}/UserGroups`, async (request) => {
      const q = queryOf(request);
      let groups = pc.vaultGroups;
      for (const t of q.filter ? parseFilter(q.filter, ['groupType', 'groupName']) : []) {
        const v = t.value.toLowerCase();
        if (t.key === 'groupType') {
          if (v !== 'vault' && v !== 'directory') throw badParam('groupType must be Vault or Directory');
          groups = groups.filter((g) => g.groupType.toLowerCase() === v);
        } else groups = groups.filter((g) => g.groupName.toLowerCase() === v);
      }
      if (q.search) {
        const needle = q.search.toLowerCase();
        groups = groups.filter((g) => g.groupName.toLowerCase().includes(needle));
      }
      const includeMembers = truthy(q.includemembers);
      return { value: groups.map((g) => groupObject(g, includeMembers)), count: groups.length };
    });

    api.get<{ Params: { id: string } }>(`${API}/UserGroups/:id`, async (request) => {
      const group = pc.vaultGroups.find((g) => String(g.id) === request.params.id);
      if (!group) throw new PasError(404, PAS_ERRORS.notFound, `Group ${request.params.id} was not found.`);
      return groupObject(group, true);
    });
  });

  return app;
}
