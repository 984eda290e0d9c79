/** Identity user endpoints (§4, §5): a user's applications, roles with their rights, and attributes. */
import type { FastifyInstance } from 'fastify';
import { bodyOf, pick, queryOf } from '../../shared/http.js';
import type { TenantModel } from '../model.js';
import type { SourceRow } from '../redrock/dataset.js';
import { readArgs } from '../redrock/paging.js';
import { simpleResult } from '../redrock/result-set.js';
import { APP_ROW_COLUMNS, appRow } from './apps.js';
import { fail, ok } from './envelope.js';
import { columnsOf, pageCap, stringParam } from './params.js';

export function registerUserRoutes(api: FastifyInstance, model: TenantModel): void {
  api.post('/UPRest/GetResultantAppsForUser', async (request) => {
    const body = bodyOf(request);
    const userId = stringParam(queryOf(request).useruuid ?? pick(body, 'userUuid', 'ID'));
    if (!userId) return fail('userUuid is required');
    const user = model.user(userId);
    if (!user) return fail(`user "${userId}" does not exist`);
    // §5: the sources disagree on the shape; the simulator serves the Redrock form.
    const rows = model.appsOfUser(user.id).map((a) => appRow(model, a));
    return ok(simpleResult('Application', 'ID', APP_ROW_COLUMNS, rows, readArgs(body), pageCap(request)));
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
    return ok(simpleResult('Role', 'ID', columns, rows, readArgs(body), pageCap(request)));
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
}
