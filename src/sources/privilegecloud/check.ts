/**
 * Privilege Cloud's connection test: the token (or the PAS logon), then one page of safes, of one safe's members, of
 * accounts, and the vault groups.
 */
import type { AuthProvider } from '../../http/index.js';
import { Checks } from '../checks.js';
import { identityAuth, identitySettingsOf } from '../identity/client.js';
import type { SourceCheckResult, SourceContext } from '../source.js';
import { NO_TOKEN } from './auth.js';
import { createPrivilegeCloudClient, type PrivilegeCloudSettings, pasAuth } from './extract.js';
import { accountsPage, membersPage, safesPage, userGroupsPage } from './schemas.js';

/** Without PAS credentials the test signs in with its own Identity platform token, as the sync does with the shared one. */
export async function checkPrivilegeCloud(
  pcloud: PrivilegeCloudSettings,
  ctx: SourceContext,
): Promise<SourceCheckResult> {
  const checks = new Checks();
  const identity = identitySettingsOf(ctx);
  let auth: AuthProvider | undefined;
  if (pcloud.pas) auth = pasAuth(pcloud.pcloudUrl, pcloud.pas);
  else if (identity) auth = identityAuth(identity);
  if (!auth) {
    await checks.run('token', async () => {
      throw new Error(NO_TOKEN);
    });
    return checks.result();
  }
  const client = createPrivilegeCloudClient(pcloud.pcloudUrl, auth, ctx.http);
  try {
    await checks.run(pcloud.pas ? 'logon' : 'token', () => auth.authorization(client));
    const safe = await checks.run('GET /PasswordVault/API/Safes (1 safe)', async () => {
      const page = await client.request({
        method: 'GET',
        path: 'API/Safes',
        query: { offset: 0, limit: 1 },
        schema: safesPage,
        endpoint: 'GET /PasswordVault/API/Safes',
      });
      return page.value[0]?.safeUrlId ?? null;
    });
    if (safe) {
      await checks.run('GET /PasswordVault/API/Safes/{safeUrlId}/Members (1 page)', async () => {
        await client.request({
          method: 'GET',
          path: `API/Safes/${safe}/Members`,
          query: { offset: 0, limit: 1, filter: 'includePredefinedUsers eq true' },
          schema: membersPage,
          endpoint: 'GET /PasswordVault/API/Safes/{safeUrlId}/Members',
        });
      });
    } else if (safe === null)
      checks.skip('GET /PasswordVault/API/Safes/{safeUrlId}/Members (1 page)', 'no safe visible');
    await checks.run('GET /PasswordVault/API/Accounts (1 account)', async () => {
      await client.request({
        method: 'GET',
        path: 'API/Accounts',
        query: { offset: 0, limit: 1 },
        schema: accountsPage,
        endpoint: 'GET /PasswordVault/API/Accounts',
      });
    });
    await checks.run('GET /PasswordVault/API/UserGroups', async () => {
      await client.request({
        method: 'GET',
        path: 'API/UserGroups',
        schema: userGroupsPage,
        endpoint: 'GET /PasswordVault/API/UserGroups',
      });
    });
  } finally {
    await auth.close?.();
  }
  return checks.result();
}
