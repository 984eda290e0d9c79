/**
 * Privilege Cloud paging against a stand-in server that answers in the recorded shapes of test/fixtures (issue 14,
 * items 2 and 3): Safes follow their nextLink, relative to /PasswordVault/; safe members carry `count` and `value`
 * but no nextLink, so they are read by offset until `count` is reached, later pages requested ahead.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthProvider } from '../../src/http/index.js';
import { createPrivilegeCloudClient, extractPrivilegeCloud } from '../../src/sources/privilegecloud/extract.js';
import { SAFE_MEMBERS_PAGES } from '../fixtures/privilegecloud/safe-members.js';
import { SAFES_PAGES } from '../fixtures/privilegecloud/safes.js';
import { catchSourceError, startServer, type TestServer } from '../http/helpers.js';

const FAST_HTTP = { backoff: { baseMs: 1, maxMs: 20 }, retryAfterCapMs: 2_000 } as const;
/** The stand-in server takes any bearer token; authentication is not what these tests are about. */
const auth: AuthProvider = { authorization: async () => 'Bearer test', invalidate: () => {} };

type Query = Record<string, string | undefined>;
type Pages = readonly { offset: number; body: Record<string, unknown> }[];

/** The recorded page for the request's offset; any other offset is a request the real server was never asked. */
function recorded(pages: Pages, request: FastifyRequest, reply: FastifyReply) {
  const offset = Number((request.query as Query).offset ?? 0);
  const page = pages.find((p) => p.offset === offset);
  if (!page) return reply.code(400).send({ ErrorCode: 'PASWS167E', ErrorMessage: `no page at offset ${offset}` });
  return page.body;
}

const EMPTY = { value: [], count: 0 };
const MEMBERS_OF_LINUX_PROD = SAFE_MEMBERS_PAGES.flatMap((p) => p.body.value as { memberName: string }[]);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Safes and members from the fixtures (members for Linux Prod only); no accounts, no vault groups. */
async function recordedTenant(members: (request: FastifyRequest, reply: FastifyReply) => unknown) {
  server = await startServer((app) => {
    app.get('/PasswordVault/API/Safes', async (request, reply) => recorded(SAFES_PAGES, request, reply));
    app.get<{ Params: { id: string } }>('/PasswordVault/API/Safes/:id/Members', async (request, reply) =>
      request.params.id === 'Linux Prod' ? members(request, reply) : EMPTY,
    );
    app.get('/PasswordVault/API/Accounts', async () => EMPTY);
    app.get('/PasswordVault/API/UserGroups', async () => EMPTY);
  });
  return server;
}

function extract(s: TestServer, pcloudUrl = s.url, concurrency = 4) {
  const client = createPrivilegeCloudClient(pcloudUrl, auth, { ...FAST_HTTP, concurrency });
  return extractPrivilegeCloud(client, pcloudUrl, 'privilegecloud');
}

const memberRequests = (s: TestServer) =>
  s.received.filter((r) => r.startsWith('GET /PasswordVault/API/Safes/Linux%20Prod/Members'));

describe('recorded shapes: Safes by nextLink, members by offset', () => {
  it('reads every member over offset pages that carry count but no nextLink, exactly the pages needed', async () => {
    const s = await recordedTenant((request, reply) => recorded(SAFE_MEMBERS_PAGES, request, reply));
    const raw = await extract(s);
    expect(raw.members['Linux Prod']!.map((m) => m.memberName)).toEqual(MEMBERS_OF_LINUX_PROD.map((m) => m.memberName));
    expect(raw.members['Linux Prod']!.map((m) => m.memberId)).toContain('2'); // an integer memberId, as a string
    expect(memberRequests(s)).toEqual([
      'GET /PasswordVault/API/Safes/Linux%20Prod/Members?offset=0&limit=100&filter=includePredefinedUsers%20eq%20true',
      'GET /PasswordVault/API/Safes/Linux%20Prod/Members?offset=3&limit=100&filter=includePredefinedUsers%20eq%20true',
    ]);
  });

  it('follows the Safes nextLink relative to /PasswordVault/, with or without /PasswordVault in the URL', async () => {
    const s = await recordedTenant((request, reply) => recorded(SAFE_MEMBERS_PAGES, request, reply));
    for (const pcloudUrl of [s.url, `${s.url}/PasswordVault`, `${s.url}/PasswordVault/`]) {
      s.received.length = 0;
      const raw = await extract(s, pcloudUrl);
      expect(raw.safes.map((x) => x.safeName)).toEqual(['Linux Prod', 'Notification Engine', 'Windows Servers']);
      expect(s.received.filter((r) => r.startsWith('GET /PasswordVault/API/Safes?'))).toEqual([
        'GET /PasswordVault/API/Safes?offset=0&limit=100&extendedDetails=true',
        'GET /PasswordVault/API/Safes?offset=2&limit=2&useCache=False',
      ]);
    }
  });

  it('refuses a Safes nextLink to another origin', async () => {
    server = await startServer((app) => {
      app.get('/PasswordVault/API/Safes', async () => ({
        ...SAFES_PAGES[0]!.body,
        nextLink: 'https://other.example/PasswordVault/API/Safes?offset=2&limit=2&useCache=False',
      }));
      app.get('/PasswordVault/API/Safes/:id/Members', async () => EMPTY);
      app.get('/PasswordVault/API/Accounts', async () => EMPTY);
      app.get('/PasswordVault/API/UserGroups', async () => EMPTY);
    });
    const e = await catchSourceError(extract(server));
    expect(e.kind).toBe('origin');
  });
});

/** A member in the recorded shape, numbered. */
function member(n: number) {
  const shape = (SAFE_MEMBERS_PAGES[0]!.body.value as Record<string, unknown>[])[0]!;
  return { ...shape, memberId: String(1000 + n), memberName: `member${String(n).padStart(2, '0')}@corp` };
}

/**
 * Members of Linux Prod in the recorded shape, served by offset and limit: at most `cap(offset)` per page, after
 * `delayMs`; the number of member requests in flight at once is recorded.
 */
function offsetServer(total: number, cap: (offset: number) => number, delayMs = 0) {
  const all = Array.from({ length: total }, (_, n) => member(n));
  const stats = { inFlight: 0, maxInFlight: 0 };
  const handler = async (request: FastifyRequest) => {
    const q = request.query as Query;
    const offset = Number(q.offset ?? 0);
    const limit = Math.min(Number(q.limit ?? 25), cap(offset));
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    await new Promise((r) => setTimeout(r, delayMs));
    stats.inFlight--;
    return { value: all.slice(offset, offset + limit), count: total };
  };
  return { all, stats, handler };
}

describe('members by offset: pages requested ahead, server caps, errors', () => {
  it('once the first page gives count, the later offsets are requested together, each once', async () => {
    const members = offsetServer(20, () => 2, 40);
    const s = await recordedTenant(members.handler);
    const raw = await extract(s, s.url, 4);
    expect(raw.members['Linux Prod']!.map((m) => m.memberName)).toEqual(members.all.map((m) => m.memberName));
    const offsets = memberRequests(s).map((r) => Number(/offset=(\d+)/.exec(r)![1]));
    expect(offsets.sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(members.stats.maxInFlight).toBeGreaterThanOrEqual(4);
  });

  it('a cap that starts after the first page: mispredicted offsets are not used, every member once', async () => {
    // The first page is served in full (4), every later one capped at 3: the pages are 0, 4, 7, 10, …
    const members = offsetServer(17, (offset) => (offset === 0 ? 4 : 3));
    const s = await recordedTenant(members.handler);
    const raw = await extract(s);
    expect(raw.members['Linux Prod']!.map((m) => m.memberName)).toEqual(members.all.map((m) => m.memberName));
  });

  it('an empty page before count is reached is a validation error naming the endpoint', async () => {
    const s = await recordedTenant(async (request) => {
      const offset = Number((request.query as Query).offset ?? 0);
      return offset === 0 ? SAFE_MEMBERS_PAGES[0]!.body : { value: [], count: 5 };
    });
    const e = await catchSourceError(extract(s));
    expect(e.kind).toBe('validation');
    expect(e.message).toMatch(/GET \/PasswordVault\/API\/Safes\/\{safeUrlId\}\/Members: .*count is 5/);
  });

  it('without count, a page shorter than limit is the last', async () => {
    const s = await recordedTenant(async () => ({ value: (SAFE_MEMBERS_PAGES[0]!.body.value as unknown[]).slice() }));
    const raw = await extract(s);
    expect(raw.members['Linux Prod']).toHaveLength(3);
    expect(memberRequests(s)).toHaveLength(1);
  });
});
