/**
 * Older PAS answers (issue 14, item 4): `{Safes, Total}` in PascalCase, paged by offset with no nextLink, and the 11.x
 * `{SafeMembers: […]}` with PascalCase permissions and no member id. Parsed by the extractor's schemas and read over
 * HTTP from a stand-in serving the recorded shapes of test/fixtures/privilegecloud/legacy.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthProvider } from '../../src/http/index.js';
import { createPrivilegeCloudClient, extractPrivilegeCloud } from '../../src/sources/privilegecloud/extract.js';
import { membersPage, safesPage } from '../../src/sources/privilegecloud/schemas.js';
import { IdentityLookup, transformPrivilegeCloud } from '../../src/sources/privilegecloud/transform.js';
import { LEGACY_SAFE_MEMBERS, LEGACY_SAFES_PAGES } from '../fixtures/privilegecloud/legacy.js';
import { catchSourceError, startServer, type TestServer } from '../http/helpers.js';

const FAST_HTTP = { backoff: { baseMs: 1, maxMs: 20 }, retryAfterCapMs: 2_000 } as const;
const auth: AuthProvider = { authorization: async () => 'Bearer test', invalidate: () => {} };
type Query = Record<string, string | undefined>;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function recordedSafes(request: FastifyRequest, reply: FastifyReply) {
  const offset = Number((request.query as Query).offset ?? 0);
  const page = LEGACY_SAFES_PAGES.find((p) => p.offset === offset);
  if (!page) return reply.code(400).send({ ErrorCode: 'PASWS167E', ErrorMessage: `no page at offset ${offset}` });
  return page.body;
}

async function legacyVault(safes = recordedSafes) {
  server = await startServer((app) => {
    app.get('/PasswordVault/API/Safes', async (request, reply) => safes(request, reply));
    app.get<{ Params: { id: string } }>('/PasswordVault/API/Safes/:id/Members', async (request) =>
      request.params.id === 'Linux Prod' ? LEGACY_SAFE_MEMBERS : { SafeMembers: [] },
    );
    app.get('/PasswordVault/API/Accounts', async () => ({ value: [], count: 0 }));
    app.get('/PasswordVault/API/UserGroups', async () => ({ value: [], count: 0 }));
  });
  const client = createPrivilegeCloudClient(server.url, auth, { ...FAST_HTTP, concurrency: 2 });
  return { server, extract: () => extractPrivilegeCloud(client, server!.url, 'selfhosted') };
}

describe('schemas', () => {
  it('{Safes, Total} parses as value and count, PascalCase keys in today’s spelling', () => {
    const page = safesPage.parse(LEGACY_SAFES_PAGES[0]!.body);
    expect(page.count).toBe(3);
    expect(page.nextLink).toBeUndefined();
    expect(page.value[0]).toMatchObject({
      safeName: 'Linux Prod',
      safeUrlId: 'Linux%20Prod',
      description: 'Linux root accounts',
      location: '\\',
    });
  });

  it('a safe without SafeUrlId gets the URL-encoded name; OLACEnabled is olacEnabled', () => {
    const page = safesPage.parse({ Safes: [{ SafeName: 'A & B', OLACEnabled: true }], Total: 1 });
    expect(page.value[0]).toMatchObject({ safeUrlId: 'A%20%26%20B', olacEnabled: true });
  });

  it('{SafeMembers} parses with PascalCase permissions and no memberId', () => {
    const page = membersPage.parse(LEGACY_SAFE_MEMBERS);
    expect(page.value.map((m) => [m.memberName, m.memberType, m.memberId])).toEqual([
      ['Administrator', 'User', undefined],
      ['LinuxAdmins', 'Group', undefined],
    ]);
    expect(page.value[1]!.permissions).toMatchObject({ useAccounts: true, retrieveAccounts: true, manageSafe: false });
  });

  it('permissions as a list of {Key, Value} pairs are read too', () => {
    const page = membersPage.parse({
      value: [
        {
          memberName: 'bob',
          memberType: 'User',
          permissions: [
            { Key: 'RetrieveAccounts', Value: true },
            { key: 'listAccounts', value: true },
          ],
        },
      ],
    });
    expect(page.value[0]!.permissions).toEqual({ retrieveAccounts: true, listAccounts: true });
  });
});

describe('extraction over HTTP', () => {
  it('reads every safe of a {Safes, Total} list by offset, and the 11.x members', async () => {
    const vault = await legacyVault();
    const raw = await vault.extract();
    expect(raw.safes.map((s) => s.safeName)).toEqual(['Linux Prod', 'Windows Servers', 'DB Admins']);
    expect(vault.server.received.filter((r) => r.startsWith('GET /PasswordVault/API/Safes?'))).toEqual([
      'GET /PasswordVault/API/Safes?offset=0&limit=100&extendedDetails=true',
      'GET /PasswordVault/API/Safes?offset=2&limit=100&extendedDetails=true',
    ]);
    expect(raw.members['Linux Prod']!.map((m) => m.memberName)).toEqual(['Administrator', 'LinuxAdmins']);

    const out = transformPrivilegeCloud(raw, new IdentityLookup([]), Date.parse('2026-12-01T00:00:00Z'));
    const members = out.edges.filter((e) => e.kind === 'SAFE_MEMBER');
    expect(members).toHaveLength(2);
    expect(members.find((e) => e.props.member_name === 'LinuxAdmins')!.props.permissions).toEqual([
      'useAccounts',
      'retrieveAccounts',
      'listAccounts',
    ]);
  });

  it('a server that ignores the offset (the same page again) is a validation error, not a duplicated list', async () => {
    const vault = await legacyVault(() => LEGACY_SAFES_PAGES[0]!.body);
    const e = await catchSourceError(vault.extract());
    expect(e.kind).toBe('validation');
    expect(e.message).toMatch(/GET \/PasswordVault\/API\/Safes: .*repeats an earlier page/);
  });
});
