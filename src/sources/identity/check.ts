/**
 * Identity's connection test: the token, then one cheap read of each listing the sync pages through, and one
 * per-role and per-application read when there is a role or an application to read.
 */
import { z } from 'zod';
import { type HttpClient, identityEnvelope, redrockResult, unwrapIdentity } from '../../http/index.js';
import { Checks } from '../checks.js';
import type { SourceCheckResult, SourceContext } from '../source.js';
import { createIdentityClient, type IdentitySourceConfig, identityAuth } from './client.js';
import { aceRow, adminRightRow, directoryServiceRow, roleMemberRow } from './schemas.js';

const idRow = z.looseObject({ ID: z.string().min(1) });

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

export async function checkIdentity(cfg: IdentitySourceConfig, ctx: SourceContext): Promise<SourceCheckResult> {
  const checks = new Checks();
  const auth = identityAuth(cfg);
  const client = createIdentityClient(cfg, auth, ctx.http);
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
  return checks.result();
}
