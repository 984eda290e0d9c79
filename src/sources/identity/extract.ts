/**
 * CyberArk Identity: client and extract stages. The endpoints and what each waits for (docs/extractors.md):
 * token → { Core/GetDirectoryServices → UserMgmt/DirectoryServiceQuery (users, groups, roles) | Redrock User (paged)
 * → per user without a ServiceUser value UserMgmt/GetUserAttributes | Redrock Role (paged) → per role
 * Roles/GetRoleMembers + Core/GetAssignedAdministrativeRights | Redrock Application (paged) → per application
 * Acl/GetRowAces }, the branches concurrently; then GetUserAttributes for role members the User table did not list.
 */
import { z } from 'zod';
import {
  type HttpClient,
  type HttpClientOptions,
  identityEnvelope,
  redrockResult,
  TaskGroup,
  unwrapIdentity,
} from '../../http/index.js';
import type { ProgressListener } from '../source.js';
import { SOURCE } from './client.js';
import { DSQ_PAGE_SIZE, directoryQuery, REDROCK_PAGE_SIZE, redrockAll, wholeResult } from './paging.js';
import { isEverybodyRole } from './predefined.js';
import {
  type ApplicationRow,
  aceRow,
  adminRightRow,
  applicationRow,
  directoryServiceRow,
  dsqGroupRow,
  dsqRoleRow,
  dsqUserRow,
  type IdentityRaw,
  type RoleRow,
  roleMemberRow,
  roleRow,
} from './schemas.js';
import { listUsers, readMissingMembers } from './users.js';

export interface ExtractOptions {
  /** Rows per Redrock page (1–10000). */
  pageSize?: number;
  progress?: ProgressListener;
  http?: Partial<HttpClientOptions>;
}

function dedupe<R>(rows: R[], key: (r: R) => string): R[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = key(r).toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Everything that does not depend on an earlier answer runs at once, under the client's one concurrency limit: the
 * directory services (then the three DirectoryServiceQuery listings), the User, Role and Application listings. The
 * per-role requests start as soon as the page that lists the role arrives, the per-application ACL requests likewise.
 * The first failure cancels the rest and is the error thrown.
 */
export async function extractIdentity(
  client: HttpClient,
  identityUrl: string,
  options: ExtractOptions = {},
): Promise<IdentityRaw> {
  const pageSize = options.pageSize ?? REDROCK_PAGE_SIZE;
  const dsqPageSize = Math.max(pageSize, DSQ_PAGE_SIZE);
  const progress = options.progress ?? (() => {});
  const phase = (name: string) => progress({ type: 'phase', source: SOURCE, phase: name });
  const group = new TaskGroup();
  const { signal } = group;

  phase('directory services');
  const directoryServicesTask = group.spawn(async () => {
    const env = await client.request({
      method: 'POST',
      path: '/Core/GetDirectoryServices',
      json: { Args: { Caching: -1 } },
      schema: identityEnvelope(redrockResult(directoryServiceRow)),
      signal,
    });
    const endpoint = 'POST /Core/GetDirectoryServices';
    return wholeResult(unwrapIdentity(env, SOURCE, endpoint), endpoint);
  });
  const directoryTask = <R>(key: 'User' | 'Group' | 'roles', row: z.ZodType<R>) =>
    group.spawn(async () => {
      const uuids = (await directoryServicesTask).map((d) => d.directoryServiceUuid);
      return directoryQuery(client, uuids, key, row, dsqPageSize, signal);
    });
  phase('directory identities');
  const directoryUsersTask = directoryTask('User', dsqUserRow);
  const directoryGroupsTask = directoryTask('Group', dsqGroupRow);
  const directoryRolesTask = directoryTask('roles', dsqRoleRow);

  phase('users');
  const attributes: IdentityRaw['userAttributes'] = {};
  const usersTask = group.spawn(() => listUsers(client, group, attributes, pageSize, progress));

  phase('roles');
  const roleMembers: IdentityRaw['roleMembers'] = {};
  const roleAdminRights: IdentityRaw['roleAdminRights'] = {};
  const seenRoles = new Set<string>();
  let rolesDone = 0;
  const perRole = (role: RoleRow) => {
    const everybody = isEverybodyRole(role);
    const done = () =>
      progress({ type: 'progress', source: SOURCE, phase: 'roles', done: ++rolesDone, total: seenRoles.size });
    const members = everybody
      ? // Everybody holds every user implicitly; the API lists no members for it.
        Promise.resolve([])
      : group.spawn(() =>
          client
            .request({
              method: 'POST',
              path: '/Roles/GetRoleMembers',
              json: { Name: role.ID },
              schema: identityEnvelope(redrockResult(roleMemberRow).nullable()),
              signal,
            })
            .then((env) => {
              const result = unwrapIdentity(env, SOURCE, 'POST /Roles/GetRoleMembers');
              return result ? wholeResult(result, 'POST /Roles/GetRoleMembers') : [];
            }),
        );
    const rights = group.spawn(() =>
      client
        .request({
          method: 'POST',
          path: '/Core/GetAssignedAdministrativeRights',
          query: { role: role.ID },
          json: { role: role.ID },
          schema: identityEnvelope(redrockResult(adminRightRow).nullable()),
          signal,
        })
        .then((env) => {
          const endpoint = 'POST /Core/GetAssignedAdministrativeRights';
          const result = unwrapIdentity(env, SOURCE, endpoint);
          return result ? wholeResult(result, endpoint) : [];
        }),
    );
    group.spawn(async () => {
      const [m, r] = await Promise.all([members, rights]);
      roleMembers[role.ID] = m;
      roleAdminRights[role.ID] = r;
      done();
    });
  };
  const rolesTask = group.spawn(async () =>
    dedupe(
      await redrockAll(
        client,
        'Role',
        'Select ID, Name, Description, RoleType, ReadOnly from Role ORDER BY ID',
        roleRow,
        pageSize,
        signal,
        (page) => {
          for (const role of page) {
            if (seenRoles.has(role.ID.toLowerCase())) continue;
            seenRoles.add(role.ID.toLowerCase());
            perRole(role);
          }
        },
      ),
      (r) => r.ID,
    ),
  );

  phase('applications');
  const applicationAces: IdentityRaw['applicationAces'] = {};
  const seenApps = new Set<string>();
  let appsDone = 0;
  const perApplication = (app: ApplicationRow) =>
    group.spawn(async () => {
      const env = await client.request({
        method: 'POST',
        path: '/Acl/GetRowAces',
        json: { RowKey: app.ID, Table: 'Application', ReduceSysadmin: false },
        schema: identityEnvelope(z.array(aceRow).nullable()),
        signal,
      });
      applicationAces[app.ID] = unwrapIdentity(env, SOURCE, 'POST /Acl/GetRowAces') ?? [];
      progress({ type: 'progress', source: SOURCE, phase: 'applications', done: ++appsDone, total: seenApps.size });
    });
  const applicationsTask = group.spawn(async () =>
    dedupe(
      await redrockAll(
        client,
        'Application',
        'Select ID, Name, DisplayName, Description, Category, State, AppType, TemplateName, OnPrem, Version from Application ORDER BY ID',
        applicationRow,
        pageSize,
        signal,
        (page) => {
          for (const app of page) {
            if (seenApps.has(app.ID.toLowerCase())) continue;
            seenApps.add(app.ID.toLowerCase());
            perApplication(app);
          }
        },
      ),
      (a) => a.ID,
    ),
  );

  await group.wait();
  const users = dedupe(await usersTask, (u) => u.ID);
  await readMissingMembers(client, new TaskGroup(), users, roleMembers, attributes);
  return {
    identityUrl,
    directoryServices: await directoryServicesTask,
    users,
    userAttributes: attributes,
    directoryUsers: await directoryUsersTask,
    directoryGroups: dedupe(await directoryGroupsTask, (g) => g.InternalName),
    directoryRoles: await directoryRolesTask,
    roles: await rolesTask,
    roleMembers,
    roleAdminRights,
    applications: await applicationsTask,
    applicationAces,
  };
}
