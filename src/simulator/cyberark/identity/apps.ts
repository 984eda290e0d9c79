/** Identity applications: the row an application is served as, and its ACL (`/Acl/GetRowAces`). */
import type { FastifyInstance } from 'fastify';
import { bodyOf, pick } from '../../shared/http.js';
import type { TenantModel } from '../model.js';
import type { ColumnDef, SourceRow } from '../redrock/dataset.js';
import { fail, ok } from './envelope.js';
import { stringParam } from './params.js';

/** Columns of an application row (GetRoleApps, GetResultantAppsForUser). */
export const APP_ROW_COLUMNS: ColumnDef[] = [
  'ID',
  '_RowKey',
  'Name',
  'DisplayName',
  'Description',
  'AppType',
  'TemplateName',
  'State',
].map((name) => ({ name, type: 'string' as const }));

/** An application as GetRoleApps and GetResultantAppsForUser serve it. */
export function appRow(
  model: TenantModel,
  a: { id: string; name: string; displayName: string; description: string | null },
): SourceRow {
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

export function registerAppRoutes(api: FastifyInstance, model: TenantModel): void {
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
        // `Type` is optional; the one recorded entry that has it is a user's, with "User" (idsec-sdk-golang's
        // GetPermissions test mock), and the sample role entry has none.
        ...(e.principalType === 'User' ? { Type: 'User' } : {}),
        // The encoding of bit 31 is unconfirmed; serve the harder case, a negative 32-bit integer.
        Grant: e.grant | 0,
      })),
    );
  });
}
