import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defaultApiErrorParser,
  parseCyberArkError,
  parseGraphError,
  pcloudRetryableBody,
} from '../../src/http/api-errors.js';
import { HttpClient } from '../../src/http/client.js';
import { formatPath, SourceError } from '../../src/http/errors.js';
import {
  dotNetDate,
  identityEnvelope,
  parseDotNetDate,
  redrockResult,
  unwrapIdentity,
} from '../../src/http/identity.js';
import { parseRetryAfter } from '../../src/http/response.js';
import { isLoopbackHost, joinUrl } from '../../src/http/url.js';
import { registerSecret, scrubSecrets } from '../../src/secrets.js';
import { catchSourceError, fakeSleep, startServer, type TestServer } from './helpers.js';

let server: TestServer;

const page = {
  IsAggregate: false,
  Count: 1,
  Columns: [{ Name: 'ID', IsHidden: false, Type: 12, TableName: 'User' }],
  FullCount: 1,
  Results: [
    {
      Entities: [{ Type: 'User', Key: '6f1c1a4e', IsForeignKey: false }],
      Row: { ID: '6f1c1a4e', Username: 'alice@corp.example', LastLogin: '/Date(1717171717123)/' },
    },
  ],
  ReturnID: '',
};

beforeAll(async () => {
  server = await startServer((app) => {
    app.post('/Redrock/query', async (request) => {
      const body = request.body as { Script?: string };
      if (body.Script === 'bad sql') {
        return {
          success: false,
          Result: null,
          Message: 'Query failed',
          MessageID: null,
          Exception: null,
          ErrorID: 'a1b2c3d4-0000-4000-8000-000000000000',
          ErrorCode: null,
          IsSoftError: false,
          InnerExceptions: null,
        };
      }
      return { success: true, Result: page, Message: null, MessageID: null, ErrorID: null, IsSoftError: false };
    });
  });
});

afterAll(async () => {
  await server?.close();
});

const row = z.object({ ID: z.string(), Username: z.string(), LastLogin: dotNetDate });

function identityClient(): HttpClient {
  return new HttpClient({
    source: 'identity',
    baseUrl: server.url,
    headers: { 'X-IDAP-NATIVE-CLIENT': 'true' },
    sleep: fakeSleep().sleep,
  });
}

describe('Identity envelope and Redrock', () => {
  it('validates a Redrock page and unwraps Result', async () => {
    const env = await identityClient().request({
      method: 'POST',
      path: '/Redrock/query',
      json: { Script: 'Select ID, Username, LastLogin from User', Args: { PageNumber: 1, PageSize: 1000 } },
      schema: identityEnvelope(redrockResult(row)),
    });
    const result = unwrapIdentity(env, 'identity', 'POST /Redrock/query');
    expect(result.Count).toBe(1);
    expect(result.Results[0]?.Entities?.[0]?.Key).toBe('6f1c1a4e');
    expect(result.Results[0]?.Row).toEqual({
      ID: '6f1c1a4e',
      Username: 'alice@corp.example',
      LastLogin: '2024-05-31T16:08:37.123Z',
    });
    expect(result.Columns?.[0]?.Name).toBe('ID');
  });

  it('success:false in an HTTP 200 → unwrapIdentity throws kind api with Message and ErrorID', async () => {
    const env = await identityClient().request({
      method: 'POST',
      path: '/Redrock/query',
      json: { Script: 'bad sql' },
      schema: identityEnvelope(redrockResult(row)),
    });
    expect(env.success).toBe(false);
    let err: unknown;
    try {
      unwrapIdentity(env, 'identity', 'POST /Redrock/query');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ kind: 'api', source: 'identity', endpoint: 'POST /Redrock/query' });
    expect((err as SourceError).message).toBe(
      'identity: POST /Redrock/query: Identity error: Query failed (ErrorID a1b2c3d4-0000-4000-8000-000000000000)',
    );
  });

  it('an envelope without success is a validation error', async () => {
    const schema = identityEnvelope(z.object({ x: z.number() }));
    expect(schema.safeParse({ Result: { x: 1 } }).success).toBe(false);
    expect(schema.safeParse({ success: true, Result: { x: 1 } }).success).toBe(true);
    expect(schema.safeParse({ success: false, Result: null, Message: 'no' }).success).toBe(true);
  });

  it('unwrapIdentity uses ErrorCode/MessageID and copes with a missing Message', () => {
    expect(() =>
      unwrapIdentity({ success: false, MessageID: 'E_NOPE', ErrorCode: null }, 'identity', 'POST /Roles/GetRole'),
    ).toThrow('identity: POST /Roles/GetRole: Identity error E_NOPE: request failed (success: false, no Message)');
  });
});

describe('parseDotNetDate', () => {
  it.each([
    ['/Date(1717171717123)/', '2024-05-31T16:08:37.123Z'],
    ['/Date(1717171717123+0200)/', '2024-05-31T16:08:37.123Z'],
    ['/Date(0)/', '1970-01-01T00:00:00.000Z'],
    ['/Date(-86400000)/', '1969-12-31T00:00:00.000Z'],
    ['2024-05-31T16:08:37Z', '2024-05-31T16:08:37.000Z'],
    [null, null],
    [undefined, null],
    ['', null],
    ['/Date(abc)/', null],
    ['yesterday', null],
    [1717171717123, null],
  ])('%s → %s', (input, expected) => {
    expect(parseDotNetDate(input)).toBe(expected);
  });
});

describe('error body parsers', () => {
  it('parses the PAS, Identity, OAuth and gateway shapes', () => {
    expect(parseCyberArkError(404, { ErrorCode: 'PASWS027E', ErrorMessage: 'Safe not found' })).toEqual({
      code: 'PASWS027E',
      message: 'Safe not found',
    });
    expect(
      parseCyberArkError(400, {
        ErrorCode: 'PASWS167E',
        ErrorMessage: 'Bad',
        Details: [{ ErrorCode: 'X1', ErrorMessage: 'field a' }],
      }),
    ).toEqual({ code: 'PASWS167E', message: 'Bad (X1: field a)' });
    expect(parseCyberArkError(200, { success: false, Message: 'Query failed', ErrorID: 'e1' })).toEqual({
      message: 'Query failed (ErrorID e1)',
    });
    expect(parseCyberArkError(400, { error: 'invalid_client', error_description: 'bad' })).toEqual({
      code: 'invalid_client',
      message: 'bad',
    });
    expect(parseCyberArkError(401, { message: 'Unauthorized' })).toEqual({ message: 'Unauthorized' });
    expect(parseCyberArkError(500, 'plain text')).toBeUndefined();
    expect(parseGraphError(404, { error: { code: 'Request_ResourceNotFound', message: 'gone' } })).toEqual({
      code: 'Request_ResourceNotFound',
      message: 'gone',
    });
    expect(defaultApiErrorParser(403, { error: { code: 'Authorization_RequestDenied', message: 'denied' } })).toEqual({
      code: 'Authorization_RequestDenied',
      message: 'denied',
    });
    expect(defaultApiErrorParser(404, { ErrorCode: 'PASWS027E', ErrorMessage: 'x' })?.code).toBe('PASWS027E');
  });

  it('recognises the Privilege Cloud transient codes', () => {
    expect(pcloudRetryableBody({ ErrorCode: 'ITADM111E' })).toBe(true);
    expect(pcloudRetryableBody({ ErrorCode: 'srapie0006' })).toBe(true);
    expect(pcloudRetryableBody({ ErrorCode: 'X', Details: [{ ErrorCode: 'SRAPIE0006' }] })).toBe(true);
    expect(pcloudRetryableBody({ ErrorCode: 'PASWS027E' })).toBe(false);
    expect(pcloudRetryableBody('ITADM111E')).toBe(false);
  });
});

describe('small helpers', () => {
  it('parseRetryAfter: seconds, fractional, HTTP-date, junk', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('2.128', now)).toBe(2128);
    expect(parseRetryAfter(['0'], now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('formatPath renders a.b[3].c', () => {
    expect(formatPath(['Result', 'Results', 3, 'Row', 'ID'])).toBe('Result.Results[3].Row.ID');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath(['@odata.nextLink'])).toBe('["@odata.nextLink"]');
    expect(formatPath(['value', 0, 'odd key'])).toBe('value[0]["odd key"]');
    expect(formatPath([])).toBe('');
  });

  it('scrubSecrets removes registered secrets, Bearer/Basic values and JWTs', () => {
    registerSecret('my-registered-secret');
    expect(scrubSecrets('x my-registered-secret y')).toBe('x *** y');
    expect(scrubSecrets('Authorization: Bearer abcdefgh12345678')).toBe('Authorization: Bearer ***');
    expect(scrubSecrets('Basic c3ZjOnNlY3JldA==')).toBe('Basic ***');
    expect(scrubSecrets('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end')).toBe('token *** end');
    expect(
      new SourceError({ source: 's', endpoint: 'GET /x', kind: 'http', detail: 'my-registered-secret' }).message,
    ).toBe('s: GET /x: ***');
  });

  it('isLoopbackHost and joinUrl', () => {
    expect(['localhost', '127.0.0.1', '127.255.0.9', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['127.0.0.1.nip.io', '10.0.0.1', '128.0.0.1', 'localhost.example', '127.0.0.256'].some(isLoopbackHost)).toBe(
      false,
    );
    const base = new URL('https://sub.cyberark.cloud/api/idadmin/');
    expect(joinUrl(base, '/oauth2/platformtoken').href).toBe(
      'https://sub.cyberark.cloud/api/idadmin/oauth2/platformtoken',
    );
    expect(joinUrl(base, 'Redrock/query?x=1').href).toBe('https://sub.cyberark.cloud/api/idadmin/Redrock/query?x=1');
    expect(joinUrl(new URL('https://h'), '/PasswordVault/API/Safes/Linux%20Prod/Members').href).toBe(
      'https://h/PasswordVault/API/Safes/Linux%20Prod/Members',
    );
  });

  it('a relative path on an allowed base and an invalid concurrency', async () => {
    expect(() => new HttpClient({ source: 'x', baseUrl: server.url, concurrency: 0 })).toThrow(
      'x: concurrency: concurrency must be a positive integer (got 0)',
    );
    const e = await catchSourceError(
      new HttpClient({ source: 'x', baseUrl: server.url }).request({
        method: 'GET',
        path: 'https://user:pw@127.0.0.1/',
        schema: z.unknown(),
      }),
    );
    expect(e.kind).toBe('origin');
    expect(e.message).not.toContain('pw');
  });
});
