/** Identity role endpoints: members, administrative rights, applications, and the role itself. */
import type { FastifyInstance } from 'fastify';
import { bodyOf, pick, queryOf } from '../../shared/http.js';
import type { TenantModel } from '../model.js';
import type { SourceRow } from '../redrock/dataset.js';
import { readArgs } from '../redrock/paging.js';
import { simpleResult } from '../redrock/result-set.js';
import { APP_ROW_COLUMNS, appRow } from './apps.js';
import { fail, ok } from './envelope.js';
import { columnsOf, pageCap, stringParam } from './params.js';

export function registerRoleRoutes(api: FastifyInstance, model: TenantModel): void {
  api.post('/Roles/GetRoleMembers', async (request) => {
    const body = bodyOf(request);
    const roleId = stringParam(pick(body, 'Name', 'name') ?? queryOf(request).name);
    if (!roleId) return fail('role id (Name) is required');
    const role = model.role(roleId);
    if (!role) return fail(`role "${roleId}" does not exist`);
    // Script (dynamic) and Everybody roles have no listable members (IdentityCommand; Identity docs: Role table).
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
    // GetRoleMembers ignores PageNumber / PageSize (issue 14): the whole role in one answer, whatever Args say.
    const whole = { ...readArgs(body), pageNumber: 1, pageSize: undefined, limit: undefined };
    return ok(simpleResult('RoleMembers', 'Guid', columnsOf('Guid', 'Name', 'Type'), rows, whole, pageCap(request)));
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
        pageCap(request),
      ),
    );
  });

  api.post('/SaasManage/GetRoleApps', async (request) => {
    const body = bodyOf(request);
    const roleId = stringParam(queryOf(request).role ?? pick(body, 'role', 'Role'));
    if (!roleId) return fail('role is required');
    const role = model.role(roleId);
    if (!role) return fail(`role "${roleId}" does not exist`);
    const rows = model.appsOfRole(role.id).map((a) => appRow(model, a));
    return ok(simpleResult('Application', 'ID', APP_ROW_COLUMNS, rows, readArgs(body), pageCap(request)));
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
}
