/** Identity user endpoints: a user's applications, roles with their rights, and attributes. */
import type { FastifyInstance } from 'fastify';
import { bodyOf, pick, queryOf } from '../../shared/http.js';
import type { TenantModel } from '../model.js';
import type { SourceRow } from '../redrock/dataset.js';
import { readArgs } from '../redrock/paging.js';
import { simpleResult } from '../redrock/result-set.js';
import { APP_ROW_COLUMNS, appRow } from './apps.js';
import { fail, ok } from './envelope.js';
import { columnsOf, pageCap, stringParam } from './params.js';

/** `LastPasswordChangeDate` of a password never changed: .NET DateTime.MinValue (the recorded answer's value). */
const NEVER = '/Date(-62135596800000)/';

export function registerUserRoutes(api: FastifyInstance, model: TenantModel): void {
  api.post('/UPRest/GetResultantAppsForUser', async (request) => {
    const body = bodyOf(request);
    const userId = stringParam(queryOf(request).useruuid ?? pick(body, 'userUuid', 'ID'));
    if (!userId) return fail('userUuid is required');
    const user = model.user(userId);
    if (!user) return fail(`user "${userId}" does not exist`);
    // IdentityCommand and older clients disagree on the shape; the simulator serves the Redrock form.
    const rows = model.appsOfUser(user.id).map((a) => appRow(model, a));
    return ok(simpleResult('Application', 'ID', APP_ROW_COLUMNS, rows, readArgs(body), pageCap(request)));
  });

  api.post('/UserMgmt/GetUsersRolesAndAdministrativeRights', async (request) => {
    const body = bodyOf(request);
    const userId = stringParam(queryOf(request).id ?? pick(body, 'ID'));
    if (!userId) return fail('ID is required');
    const user = model.user(userId);
    if (!user) return fail(`user "${userId}" does not exist`);
    // Both Row.Name and Row.RoleName have been seen; serve both.
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
    // The attribute set and order of the recorded answer (marcozj/golang-sdk platform/centrify_user.go):
    // lower-camel directoryServiceUuid, no ServiceUser attribute (a service user is one outside the Everybody role).
    // What the tenant format does not hold is null, or the value of a user who never changed it.
    const serviceUser = user.serviceUser || user.oauthClient;
    return ok({
      Description: user.description ?? null,
      ForcePasswordChangeNext: 'False',
      directoryServiceUuid: user.directoryServiceUuid,
      DisplayName: user.displayName,
      PictureUri: `/UserMgmt/GetUserPicture?id=${user.id}`,
      CloudState: user.locked ? 'Locked' : 'None',
      InEverybodyRole: !serviceUser,
      OauthClient: user.oauthClient,
      MobileNumber: user.mobileNumber,
      LastPasswordChangeDate: NEVER,
      CreateDate: null,
      OfficeNumber: null,
      CmaRedirectedUser: null,
      SubjectToCloudLocks: !serviceUser,
      Alias: user.username.includes('@') ? user.username.slice(user.username.lastIndexOf('@') + 1) : null,
      HomeNumber: null,
      ReportsTo: null,
      Name: user.username,
      PreferredCulture: '',
      Version: '1',
      Mail: user.email,
      CmaRedirectedUserUuid: null,
      Uuid: user.id,
      State: user.locked ? 'Locked' : user.enabled ? 'None' : 'Disabled',
    });
  });
}
