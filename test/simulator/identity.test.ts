import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwtPayload, type Simulator, startSimulator, WRITE_REFUSED } from '../../src/simulator/index.js';
import { AUDIT_CLIENT, buildFixtureTenant, DS, OAUTH, U } from './fixture.js';
import { form, http, idPost, type Json, platformToken } from './helpers.js';

let sim: Simulator;
let token: string;
const tenant = buildFixtureTenant();

beforeAll(async () => {
  sim = await startSimulator({ tenant, variationSeed: false });
  token = await platformToken(sim);
});
afterAll(async () => {
  await sim?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('startSimulator', () => {
  it('binds two different loopback origins', () => {
    expect(sim.identityUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.pcloudUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.identityUrl).not.toBe(sim.pcloudUrl);
    expect(sim.tenant).toBe(tenant);
  });
});

describe('POST /oauth2/platformtoken', () => {
  it('issues a JWT-looking bearer token from form credentials with the §1.2 claims', async () => {
    const res = await http<Json>(`${sim.identityUrl}/oauth2/platformtoken`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'client_credentials', client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret }),
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['access_token', 'token_type', 'expires_in']);
    expect(res.json.token_type).toBe('Bearer');
    expect(res.json.expires_in).toBe(900);
    const parts = res.json.access_token.split('.');
    expect(parts).toHaveLength(3);
    const claims = decodeJwtPayload(res.json.access_token);
    expect(claims).toMatchObject({
      sub: U.svc,
      unique_name: OAUTH.clientId,
      preferred_username: OAUTH.clientId,
      idaptive_tenant_id: 'ABC1234',
      subdomain: 'acme',
      platform_domain: 'cyberark.cloud',
      tenant_subdomain: 'https://acme.cyberark.cloud',
      iss: `${sim.identityUrl}/__idaptive_cybr_user_oidc/`,
      aud: '__idaptive_cybr_user_oidc',
      user_roles: ['Privilege Cloud Administrators'],
    });
    expect(claims.tenant_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
  });

  it('accepts HTTP Basic plus form grant_type, path in any case', async () => {
    const res = await http<Json>(`${sim.identityUrl}/OAuth2/PlatformToken`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(OAUTH.clientId, OAUTH.clientSecret) },
      body: form({ grant_type: 'client_credentials', scope: 'siem' }),
    });
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBeTruthy();
  });

  it('rejects bad credentials with 401 invalid_client', async () => {
    for (const body of [
      form({ grant_type: 'client_credentials', client_id: OAUTH.clientId, client_secret: 'wrong' }),
      form({ grant_type: 'client_credentials', client_id: 'nobody@corp.example', client_secret: 'x' }),
      form({ grant_type: 'client_credentials' }),
    ]) {
      const res = await http<Json>(`${sim.identityUrl}/oauth2/platformtoken`, { method: 'POST', headers: FORM, body });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
      expect(typeof res.json.error_description).toBe('string');
    }
  });

  it('rejects another grant type with 400 unsupported_grant_type', async () => {
    const res = await http<Json>(`${sim.identityUrl}/oauth2/platformtoken`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'password', client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret }),
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('unsupported_grant_type');
  });
});

describe('POST /oauth2/token/{appId}', () => {
  it('issues a token for a listed app with Basic auth', async () => {
    const res = await http<Json>(`${sim.identityUrl}/Oauth2/Token/arkgraph_app`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(OAUTH.clientId, OAUTH.clientSecret) },
      body: form({ grant_type: 'client_credentials', scope: 'api' }),
    });
    expect(res.status).toBe(200);
    expect(res.json.token_type).toBe('Bearer');
    const claims = decodeJwtPayload(res.json.access_token);
    expect(claims.aud).toBe('arkgraph_app');
    expect(claims.scope).toBe('api');
    // An app token is a valid Identity bearer too.
    const q = await idPost(sim, res.json.access_token, '/Redrock/query', { Script: 'Select ID from Role' });
    expect(q.json.success).toBe(true);
  });

  it('accepts form credentials (audit flow)', async () => {
    const res = await http<Json>(`${sim.identityUrl}/oauth2/token/audit_app`, {
      method: 'POST',
      headers: FORM,
      body: form({
        grant_type: 'client_credentials',
        client_id: AUDIT_CLIENT.clientId,
        client_secret: AUDIT_CLIENT.clientSecret,
        scope: 'isp.audit.events:read',
      }),
    });
    expect(res.status).toBe(200);
    expect(decodeJwtPayload(res.json.access_token).sub).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects an app the client is not allowed to use, a wrong scope and bad credentials', async () => {
    const post = (app: string, auth: string, scope: string) =>
      http<Json>(`${sim.identityUrl}/oauth2/token/${app}`, {
        method: 'POST',
        headers: { ...FORM, authorization: auth },
        body: form({ grant_type: 'client_credentials', scope }),
      });
    const unknownApp = await post('audit_app', basic(OAUTH.clientId, OAUTH.clientSecret), 'api');
    expect(unknownApp.status).toBe(400);
    expect(unknownApp.json.error).toBe('unauthorized_client');
    const badScope = await post('arkgraph_app', basic(OAUTH.clientId, OAUTH.clientSecret), 'admin.everything');
    expect(badScope.status).toBe(400);
    expect(badScope.json.error).toBe('invalid_scope');
    const badCreds = await post('arkgraph_app', basic(OAUTH.clientId, 'nope'), 'api');
    expect(badCreds.status).toBe(401);
    expect(badCreds.json.error).toBe('invalid_client');
  });
});

describe('Identity authentication', () => {
  it('401 without a token, with an unknown token, or without X-IDAP-NATIVE-CLIENT', async () => {
    const url = `${sim.identityUrl}/Redrock/query`;
    const body = JSON.stringify({ Script: 'Select ID from User' });
    const json = { 'content-type': 'application/json', 'x-idap-native-client': 'true' };
    expect((await http(url, { method: 'POST', headers: json, body })).status).toBe(401);
    expect((await http(url, { method: 'POST', headers: { ...json, authorization: 'Bearer nope' }, body })).status).toBe(
      401,
    );
    const noHeader = await http(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    expect(noHeader.status).toBe(401);
    // The older header is accepted too.
    const centrify = await http<Json>(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-centrify-native-client': '1',
      },
      body,
    });
    expect(centrify.status).toBe(200);
  });

  it('401 after expireAllTokens(); new tokens still work', async () => {
    const t = await platformToken(sim);
    expect((await idPost(sim, t, '/Redrock/query', { Script: 'Select ID from Role' })).status).toBe(200);
    sim.expireAllTokens();
    expect((await idPost(sim, t, '/Redrock/query', { Script: 'Select ID from Role' })).status).toBe(401);
    token = await platformToken(sim);
    expect((await idPost(sim, token, '/Redrock/query', { Script: 'Select ID from Role' })).status).toBe(200);
  });

  it('401 once tokenTtlSeconds has passed', async () => {
    const short = await startSimulator({ tenant, tokenTtlSeconds: 1 });
    try {
      const t = await platformToken(short);
      expect((await idPost(short, t, '/Redrock/query', { Script: 'Select ID from Role' })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await idPost(short, t, '/Redrock/query', { Script: 'Select ID from Role' })).status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('unknown paths are 404', async () => {
    const res = await idPost(sim, token, '/Nope/Nothing', {});
    expect(res.status).toBe(404);
  });
});

describe('POST /Redrock/query', () => {
  it('serves the full §2.2 envelope with Columns metadata, Entities and /Date(ms)/ dates', async () => {
    const res = await idPost(sim, token, '/Redrock/query', {
      Script: `Select ID, Username, LastLogin, SourceDs, Forest from User WHERE Username = 'alice@corp.example'`,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual([
      'success',
      'Result',
      'Message',
      'MessageID',
      'Exception',
      'ErrorID',
      'ErrorCode',
      'IsSoftError',
      'InnerExceptions',
    ]);
    expect(res.json).toMatchObject({ success: true, Message: null, IsSoftError: false, InnerExceptions: null });
    const r = res.json.Result;
    expect(Object.keys(r)).toEqual(['IsAggregate', 'Count', 'Columns', 'FullCount', 'Results', 'ReturnID']);
    expect(r).toMatchObject({ IsAggregate: false, Count: 1, FullCount: 1, ReturnID: '' });
    expect(r.Columns.map((c: Json) => c.Name)).toEqual(['ID', 'Username', 'LastLogin', 'SourceDs', 'Forest']);
    expect(Object.keys(r.Columns[0])).toEqual([
      'Name',
      'IsHidden',
      'DDName',
      'Title',
      'DDTitle',
      'Description',
      'Type',
      'Format',
      'Width',
      'TableKey',
      'ForeignKey',
      'TableName',
    ]);
    expect(r.Results[0].Entities).toEqual([{ Type: 'User', Key: U.alice, IsForeignKey: false }]);
    expect(r.Results[0].Row).toEqual({
      ID: U.alice,
      Username: 'alice@corp.example',
      LastLogin: `/Date(${Date.parse('2024-05-31T15:28:37.123Z')})/`,
      SourceDs: 'CDS',
      Forest: null,
      _MatchFilter: null,
    });
  });

  it('select * returns every supported column; columns keep the spelling of the query', async () => {
    const all = await idPost(sim, token, '/redrock/query', { Script: 'select * from user' });
    expect(all.json.Result.FullCount).toBe(tenant.identity.users.length);
    expect(Object.keys(all.json.Result.Results[0].Row)).toEqual([
      'ID',
      'Username',
      'DisplayName',
      'Email',
      'LastLogin',
      'LastInvite',
      'StatusEnum',
      'Status',
      'RiskLevel',
      'SourceDs',
      'SourceDsLocalized',
      'SourceDsType',
      'DirectoryServiceUuid',
      'Forest',
      'MobileNumber',
      'ServiceUser',
      'SecurityQuestionSet',
      'SecurityQuestionCount',
      '_MatchFilter',
    ]);
    const carol = await idPost(sim, token, '/RedRock/Query/', {
      Script: `SELECT username AS login, forest FROM User WHERE ID = '${U.carol}'`,
    });
    expect(carol.json.Result.Results[0].Row).toEqual({
      login: 'carol@corp.example',
      forest: 'corp.example',
      _MatchFilter: null,
    });
  });

  it('pages with PageNumber/PageSize (Count = page rows, FullCount = total), last page short, 0 treated as 1', async () => {
    const users = tenant.identity.users
      .map((u) => u.username)
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const res = await idPost(sim, token, '/Redrock/query', {
        Script: 'Select Username from User ORDER BY Username COLLATE NOCASE',
        Args: { PageNumber: page, PageSize: 3, Limit: 100000, SortBy: '', Caching: -1, Direction: 'True' },
      });
      const r = res.json.Result;
      expect(r.FullCount).toBe(10);
      expect(r.Count).toBe(page < 4 ? 3 : 1);
      seen.push(...r.Results.map((x: Json) => x.Row.Username));
    }
    expect(seen).toEqual(users);
    const zero = await idPost(sim, token, '/Redrock/query', {
      Script: 'Select Username from User ORDER BY Username COLLATE NOCASE',
      args: { PageNumber: 0, PageSize: 3 },
    });
    expect(zero.json.Result.Results.map((x: Json) => x.Row.Username)).toEqual(users.slice(0, 3));
  });

  it('accepts lowercase args with string numbers and Limit', async () => {
    const res = await idPost(sim, token, '/Redrock/query', {
      Script: 'Select ID from Role',
      args: { PageNumber: '1', PageSize: '100', Limit: '4' },
    });
    expect(res.json.Result.Count).toBe(4);
    expect(res.json.Result.FullCount).toBe(4);
  });

  it('sorts by primary key by default and honours ORDER BY ... DESC', async () => {
    const ids = (await idPost(sim, token, '/Redrock/query', { Script: 'Select ID from Role' })).json.Result.Results.map(
      (x: Json) => x.Row.ID,
    );
    expect(ids).toEqual([...ids].sort());
    const desc = await idPost(sim, token, '/Redrock/query', { Script: 'Select Name from Role ORDER BY Name DESC' });
    const names = desc.json.Result.Results.map((x: Json) => x.Row.Name);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('supports WHERE with =, LIKE, AND, OR and parentheses on every table', async () => {
    const like = await idPost(sim, token, '/Redrock/query', {
      Script: `Select SystemName from DSUsers WHERE ServiceType = 'AdProxy' AND (SystemName LIKE 'D%' OR SystemName LIKE '%ROL@%') ORDER BY SystemName`,
    });
    expect(like.json.Result.Results.map((x: Json) => x.Row.SystemName)).toEqual([
      'carol@corp.example',
      'dave@corp.example',
    ]);
    const ds = await idPost(sim, token, '/Redrock/query', { Script: 'Select * from DSUsers WHERE Locked = true' });
    expect(ds.json.Result.Results[0].Entities).toEqual([
      { Type: 'DsUsers', Key: U.dave, IsForeignKey: false },
      { Type: 'User', Key: U.dave, IsForeignKey: true },
    ]);
    const groups = await idPost(sim, token, '/Redrock/query', {
      Script: `Select InternalName, SystemName, Forest from DSGroups WHERE (ServiceType = 'FDS' OR Forest = 'corp.example')`,
    });
    expect(groups.json.Result.Count).toBe(3);
    const roles = await idPost(sim, token, '/Redrock/query', {
      Script: `Select ID, Name, RoleType, ReadOnly from Role WHERE RoleType = 'Script'`,
    });
    expect(roles.json.Result.Results[0].Row).toMatchObject({ ID: 'role-dyn', RoleType: 'Script', ReadOnly: false });
    const apps = await idPost(sim, token, '/Redrock/query', {
      Script: `Select ID, Name, DisplayName, Description, Category, State, AppType, WebAppType, TemplateName, OnPrem from Application WHERE Name = 'PrivilegeCloud'`,
    });
    expect(apps.json.Result.Results[0].Row).toMatchObject({ ID: 'app-pcloud', Category: 'Security', OnPrem: false });
  });

  it('answers success:false (HTTP 200) for bad SQL, unknown tables and unknown columns', async () => {
    for (const Script of [
      'Select Nope from User',
      'Select * from Users',
      'Delete from User',
      `Select ID from User WHERE LastLogin > 5`,
      'Select ID from User LIMIT 5',
      '',
      '@@Web Applications PLV8',
    ]) {
      const res = await idPost(sim, token, '/Redrock/query', { Script });
      expect(res.status, Script).toBe(200);
      expect(res.json.success, Script).toBe(false);
      expect(res.json.Result).toBeNull();
      expect(typeof res.json.Message).toBe('string');
      expect(res.json.ErrorID).toBeTruthy();
    }
  });
});

describe('directory endpoints', () => {
  it('GET and POST /Core/GetDirectoryServices', async () => {
    const viaGet = await http<Json>(`${sim.identityUrl}/Core/GetDirectoryServices`, {
      headers: { authorization: `Bearer ${token}`, 'x-idap-native-client': 'true' },
    });
    const viaPost = await idPost(sim, token, '/core/getdirectoryservices', { Args: { Caching: -1 } });
    expect(viaGet.json).toEqual(viaPost.json);
    const rows = viaGet.json.Result.Results.map((r: Json) => r.Row);
    expect(rows.map((r: Json) => r.Service)).toEqual(['CDS', 'AdProxy', 'FDS']);
    expect(Object.keys(rows[1])).toEqual([
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
    ]);
    expect(rows[1]).toMatchObject({
      directoryServiceUuid: DS.ad,
      Forest: 'corp.example',
      Tenant: 'ABC1234',
      StatusDisplay: 'Online',
    });
    expect(rows[0].Forest).toBeUndefined();
  });

  it('POST /UserMgmt/DirectoryServiceQuery: sub-results, filters, omitted keys', async () => {
    const res = await idPost(sim, token, '/UserMgmt/DirectoryServiceQuery', {
      directoryServices: [DS.cds, DS.ad],
      user: JSON.stringify({ _or: [{ DisplayName: { _like: 'car' } }, { SystemName: { _like: 'DAVE' } }] }),
      group: '{}',
      roles: JSON.stringify({ Name: { _like: { value: 'adm', ignoreCase: true } } }),
      Args: { PageNumber: 1, PageSize: 100000, Limit: 100000, SortBy: '', Caching: -1 },
    });
    expect(res.json.success).toBe(true);
    expect(Object.keys(res.json.Result)).toEqual(['User', 'Group', 'roles']);
    const users = res.json.Result.User.Results.map((r: Json) => r.Row);
    expect(users.map((u: Json) => u.SystemName).sort()).toEqual(['carol@corp.example', 'dave@corp.example']);
    const carol = users.find((u: Json) => u.SystemName === 'carol@corp.example');
    expect(Object.keys(carol)).toEqual([
      'InternalName',
      'SystemName',
      'DisplayName',
      'EMail',
      'Description',
      'DistinguishedName',
      'ObjectType',
      'ServiceType',
      'ServiceInstance',
      'ServiceInstanceLocalized',
      'DirectoryServiceUuid',
      'ExternalUuid',
      'Forest',
      'Locked',
      'Enabled',
      'Status',
      'StatusEnum',
    ]);
    expect(carol).toMatchObject({
      InternalName: '0f8fad5b-d9cb-469f-a165-70867728950e',
      ObjectType: 'User',
      ServiceType: 'AdProxy',
      ServiceInstance: 'AdProxy_corp.example',
      DistinguishedName: 'CN=Carol Clark,OU=Users,DC=corp,DC=example',
      Forest: 'corp.example',
    });
    const groups = res.json.Result.Group.Results.map((r: Json) => r.Row);
    expect(groups).toHaveLength(2); // FDS group filtered out by directoryServices
    expect(groups[0].DistinguishedName).toBeDefined();
    const roles = res.json.Result.roles.Results.map((r: Json) => r.Row);
    expect(roles.map((r: Json) => r.Name).sort()).toEqual([
      'PAM Admins',
      'Privilege Cloud Administrators',
      'System Administrator',
    ]);
    const sysadmin = roles.find((r: Json) => r._ID === 'sysadmin');
    expect(sysadmin.AdministrativeRights).toEqual([
      { Path: '/lib/rights/adminportallogin.json', ServiceName: null },
      { Path: '/lib/rights/roleman.json', ServiceName: 'idaptive' },
    ]);

    const onlyRoles = await idPost(sim, token, '/UserMgmt/DirectoryServiceQuery', {
      roles: JSON.stringify({ _or: [{ Name: { _eq: 'Tier 0' } }, { _ID: { _eq: 'Tier 0' } }] }),
    });
    expect(Object.keys(onlyRoles.json.Result)).toEqual(['roles']);
    expect(onlyRoles.json.Result.roles.Results[0].Row._ID).toBe('role-tier0');

    const fds = await idPost(sim, token, '/UserMgmt/DirectoryServiceQuery', {
      directoryServices: [DS.fds],
      user: '{}',
    });
    const erin = fds.json.Result.User.Results.find((r: Json) => r.Row.SystemName === 'erin@corp.example');
    expect(erin.Row.ExternalUuid).toBe('11111111-2222-4333-8444-555555555555');
    expect(fds.json.Result.User.FullCount).toBe(2);
  });

  it('DirectoryServiceQuery pages consistently and rejects bad filters', async () => {
    const pages = [];
    for (let p = 1; p <= 4; p++) {
      const res = await idPost(sim, token, '/UserMgmt/DirectoryServiceQuery', {
        user: '{}',
        Args: { PageNumber: p, PageSize: 3 },
      });
      expect(res.json.Result.User.FullCount).toBe(10);
      pages.push(...res.json.Result.User.Results.map((r: Json) => r.Entities[0].Key));
    }
    expect(new Set(pages).size).toBe(10);
    const bad = await idPost(sim, token, '/UserMgmt/DirectoryServiceQuery', { user: '{"Nope":{"_eq":1}}' });
    expect(bad.json.success).toBe(false);
    const badJson = await idPost(sim, token, '/UserMgmt/DirectoryServiceQuery', { user: '{not json' });
    expect(badJson.json.success).toBe(false);
  });
});

describe('role endpoints', () => {
  it('GetRoleMembers by body Name and by query name', async () => {
    const byBody = await idPost(sim, token, '/Roles/GetRoleMembers', { Name: 'role-pam-admins' });
    const byQuery = await idPost(sim, token, '/Roles/GetRoleMembers?name=role-pam-admins');
    expect(byBody.json).toMatchObject({ success: true });
    expect(byQuery.json.Result).toEqual(byBody.json.Result);
    const rows = byBody.json.Result.Results.map((r: Json) => r.Row);
    expect(rows).toEqual(
      expect.arrayContaining([
        { Guid: U.carol, Name: 'carol@corp.example', Type: 'User' },
        { Guid: 'role-helpdesk', Name: 'Helpdesk', Type: 'Role' },
        { Guid: 'a1b2c3d4-0000-4000-8000-000000000001', Name: 'PAM-Admins@corp.example', Type: 'Group' },
      ]),
    );
    expect(byBody.json.Result.Count).toBe(3);
  });

  it('GetRoleMembers: Script and Everybody roles list no members, unknown roles fail', async () => {
    for (const Name of ['role-dyn', 'everybody']) {
      const res = await idPost(sim, token, '/Roles/GetRoleMembers', { Name });
      expect(res.json.success).toBe(true);
      expect(res.json.Result.Results).toEqual([]);
    }
    const unknown = await idPost(sim, token, '/Roles/GetRoleMembers', { Name: 'no-such-role' });
    expect(unknown.json.success).toBe(false);
  });

  it('GetAssignedAdministrativeRights by query and body', async () => {
    const q = await idPost(sim, token, '/Core/GetAssignedAdministrativeRights?role=sysadmin');
    const b = await idPost(sim, token, '/Core/GetAssignedAdministrativeRights', {
      Role: 'sysadmin',
      Args: { PageNumber: '1' },
    });
    expect(q.json.Result.Results.map((r: Json) => r.Row)).toEqual([
      { Description: 'Admin Portal Login', Path: '/lib/rights/adminportallogin.json' },
      { Description: 'Role Management', Path: '/lib/rights/roleman.json' },
    ]);
    expect(b.json.Result).toEqual(q.json.Result);
  });

  it('GetRoleApps lists apps the role may run (Execute or Automatic)', async () => {
    const pam = await idPost(sim, token, '/SaasManage/GetRoleApps?role=role-pam-admins');
    expect(pam.json.Result.Results.map((r: Json) => r.Row.ID)).toEqual(['app-pcloud']);
    expect(pam.json.Result.Results[0].Row).toMatchObject({
      _RowKey: 'app-pcloud',
      Name: 'PrivilegeCloud',
      DisplayName: 'Privilege Cloud',
    });
    const everybody = await idPost(sim, token, '/SaasManage/GetRoleApps?role=everybody');
    expect(everybody.json.Result.Results.map((r: Json) => r.Row.ID)).toEqual(['app-wiki']); // Read-only ACE excluded
  });

  it('write endpoints are refused with success:false and counted', async () => {
    const before = sim.counters.get('POST /saasmanage/addusersandgroupstorole');
    const res = await idPost(sim, token, '/SaasManage/AddUsersAndGroupsToRole', { Name: 'sysadmin', Users: [U.bob] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ success: false, Message: WRITE_REFUSED });
    expect(sim.counters.get('POST /SaasManage/AddUsersAndGroupsToRole')).toBe(before + 1);
    for (const path of [
      '/Roles/StoreRole',
      '/Roles/UpdateRole',
      '/SaasManage/DeleteRole',
      '/SaasManage/AssignSuperRights',
    ]) {
      expect((await idPost(sim, token, path, {})).json.success).toBe(false);
    }
  });
});

describe('application and user endpoints', () => {
  it('GetRowAces serves Result as an array with bit 31 as a negative 32-bit Grant', async () => {
    const res = await idPost(sim, token, '/Acl/GetRowAces', {
      RowKey: 'app-pcloud',
      Table: 'Application',
      ReduceSysadmin: true,
    });
    expect(res.json.success).toBe(true);
    expect(res.json.Result).toEqual([
      { Principal: 'role-pam-admins', PrincipalName: 'PAM Admins', PrincipalType: 'Role', Grant: 128 },
      {
        Principal: U.erin,
        PrincipalName: 'erin@corp.example',
        PrincipalType: 'User',
        Type: 'User',
        Grant: -2147483520,
      },
    ]);
    expect(res.json.Result[1].Grant >>> 0).toBe(2_147_483_776);
    expect((await idPost(sim, token, '/Acl/GetRowAces', { RowKey: 'nope', Table: 'Application' })).json.success).toBe(
      false,
    );
  });

  it('GetResultantAppsForUser follows direct ACEs, nested roles and Everybody', async () => {
    const apps = async (id: string) =>
      (await idPost(sim, token, `/UPRest/GetResultantAppsForUser?userUuid=${id}`)).json.Result.Results.map(
        (r: Json) => r.Row.ID,
      );
    expect(await apps(U.alice)).toEqual(['app-portal', 'app-wiki']);
    expect(await apps(U.bob)).toEqual(['app-pcloud', 'app-wiki']); // Helpdesk ⊂ PAM Admins
    expect(await apps(U.erin)).toEqual(['app-pcloud', 'app-wiki']); // direct Automatic|Execute ACE
    expect(await apps(U.svc)).toEqual(['arkgraph_app']); // service users are not in Everybody
  });

  it('GetUsersRolesAndAdministrativeRights: direct, nested (through a cycle), Everybody and Script roles', async () => {
    const roles = async (id: string) =>
      (await idPost(sim, token, `/UserMgmt/GetUsersRolesAndAdministrativeRights?ID=${id}`)).json.Result.Results;
    const bob = await roles(U.bob);
    expect(bob.map((r: Json) => r.Entities[0].Key).sort()).toEqual([
      'everybody',
      'role-helpdesk',
      'role-pam-admins',
      'role-tier0',
    ]);
    const alice = await roles(U.alice);
    const sysadmin = alice.find((r: Json) => r.Entities[0].Key === 'sysadmin');
    expect(sysadmin.Row).toEqual({
      Name: 'System Administrator',
      RoleName: 'System Administrator',
      Description: null,
      AdministrativeRights: [
        { Description: 'Admin Portal Login', Path: '/lib/rights/adminportallogin.json' },
        { Description: 'Role Management', Path: '/lib/rights/roleman.json' },
      ],
    });
    const heidi = await roles(U.heidi);
    expect(heidi.map((r: Json) => r.Entities[0].Key).sort()).toEqual(['everybody', 'role-cycle-a', 'role-cycle-b']);
    const erin = await roles(U.erin);
    expect(erin.map((r: Json) => r.Entities[0].Key).sort()).toEqual(['everybody', 'role-dyn']);
    const body = await idPost(sim, token, '/UserMgmt/GetUsersRolesAndAdministrativeRights', { ID: U.svc });
    expect(body.json.Result.Results.map((r: Json) => r.Entities[0].Key)).toEqual(['role-privcloud']);
    const unknown = await idPost(sim, token, '/UserMgmt/GetUsersRolesAndAdministrativeRights?ID=nobody');
    expect(unknown.json.success).toBe(false);
  });
});
