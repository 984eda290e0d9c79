/** Unit tests of the API's building blocks: tokens, CSV encoding (round-tripped through a strict parser), scopes. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScope } from '../../src/api/access-review/scope.js';
import {
  bearerToken,
  hashToken,
  loadApiTokens,
  parseTokenFile,
  parseTokenList,
  roleAllows,
  TokenVerifier,
} from '../../src/api/auth.js';
import { checkCron, parseDuration } from '../../src/api/sync-control.js';
import { ConfigError } from '../../src/config/config.js';
import { CSV_EOL, csvCell, csvLine, neutraliseFormula } from '../../src/csv.js';
import { parseCsv } from './helpers.js';

const TOKEN = 'Zm9vYmFyYmF6cXV4cXV1eHRva2VuMTIzNDU2Nzg5MA';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

describe('API tokens', () => {
  it('ARKGRAPH_API_TOKENS: [name=]role:token entries, hashed', () => {
    const tokens = parseTokenList(`ci=reader:${TOKEN}, admin:${TOKEN}x\nreviewer:${TOKEN}==`);
    expect(tokens.map((t) => [t.name, t.role])).toEqual([
      ['ci', 'reader'],
      ['admin-2', 'admin'],
      ['reviewer-3', 'reviewer'],
    ]);
    expect(tokens[0]!.sha256.toString('hex')).toBe(sha(TOKEN));
    expect(JSON.stringify(tokens)).not.toContain(TOKEN);
  });

  it('refuses malformed entries without echoing the token', () => {
    for (const bad of [
      `root:${TOKEN}`,
      'reader:short',
      `reader:${TOKEN} with space`,
      TOKEN,
      `bad name=reader:${TOKEN}`,
    ]) {
      let error: unknown;
      try {
        parseTokenList(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });

  it('ARKGRAPH_API_TOKENS_FILE: a JSON array or JSON lines of {name, role, sha256}', async () => {
    const array = parseTokenFile(JSON.stringify([{ name: 'ops', role: 'admin', sha256: sha(TOKEN) }]), 'f');
    expect(array).toEqual([{ name: 'ops', role: 'admin', sha256: Buffer.from(sha(TOKEN), 'hex') }]);
    const lines = parseTokenFile(
      `# comment\n${JSON.stringify({ name: 'a', role: 'reader', sha256: sha('x') })}\n${JSON.stringify({ name: 'b', role: 'reviewer', sha256: sha('y') })}\n`,
      'f',
    );
    expect(lines.map((t) => t.name)).toEqual(['a', 'b']);
    expect(() => parseTokenFile(JSON.stringify([{ name: 'a', role: 'reader', sha256: 'abc' }]), 'f')).toThrow(/64 hex/);
    expect(() =>
      parseTokenFile(JSON.stringify([{ name: 'a', role: 'reader', sha256: sha('x'), token: 'x' }]), 'f'),
    ).toThrow(ConfigError);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-tokens-'));
    try {
      const file = path.join(dir, 'tokens.json');
      await writeFile(file, JSON.stringify([{ name: 'ops', role: 'admin', sha256: sha(TOKEN) }]));
      const loaded = await loadApiTokens({ ARKGRAPH_API_TOKENS: `ci=reader:${TOKEN}`, ARKGRAPH_API_TOKENS_FILE: file });
      expect(loaded.map((t) => t.name)).toEqual(['ci', 'ops']);
      await expect(
        loadApiTokens({ ARKGRAPH_API_TOKENS: `ops=reader:${TOKEN}`, ARKGRAPH_API_TOKENS_FILE: file }),
      ).rejects.toThrow(/used twice/);
      await expect(loadApiTokens({ ARKGRAPH_API_TOKENS_FILE: path.join(dir, 'missing') })).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('verifies bearer tokens against the digests; roles nest', () => {
    const verifier = new TokenVerifier([
      { name: 'r', role: 'reader', sha256: hashToken(TOKEN) },
      { name: 'a', role: 'admin', sha256: hashToken(`${TOKEN}A`) },
    ]);
    expect(verifier.verify(TOKEN)).toEqual({ name: 'r', role: 'reader' });
    expect(verifier.verify(`${TOKEN}A`)).toEqual({ name: 'a', role: 'admin' });
    expect(verifier.verify(`${TOKEN}B`)).toBeUndefined();
    expect(verifier.verify('')).toBeUndefined();
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer   ${TOKEN} `)).toBe(TOKEN);
    expect(bearerToken(`Basic ${TOKEN}`)).toBeUndefined();
    expect(bearerToken(`Bearer ${TOKEN} extra`)).toBeUndefined();
    expect(bearerToken(`Bearer ${'a'.repeat(600)}`)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(roleAllows('admin', 'reviewer')).toBe(true);
    expect(roleAllows('reviewer', 'reader')).toBe(true);
    expect(roleAllows('reader', 'reviewer')).toBe(false);
    expect(roleAllows('reviewer', 'admin')).toBe(false);
  });
});

describe('CSV', () => {
  it('neutralises formulas and quotes per RFC 4180', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(' =x')).toBe(' =x');
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvLine(['a', 'b,c', null])).toBe('a,"b,c",');
  });

  it('round-trips any text through a strict RFC 4180 parser (formulas neutralised)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (rows) => {
          const width = rows[0]!.length;
          const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
          const text = table.map((r) => `${csvLine(r)}${CSV_EOL}`).join('');
          expect(parseCsv(text)).toEqual(table.map((r) => r.map(neutraliseFormula)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('scopes and schedules', () => {
  it('parses export scopes', () => {
    expect(parseScope('all')).toEqual({ kind: 'all' });
    expect(parseScope('safe:Linux: Prod')).toEqual({ kind: 'safe', name: 'Linux: Prod' });
    expect(parseScope('role:Everybody')).toEqual({ kind: 'role', name: 'Everybody' });
    expect(parseScope('user:a@b')).toEqual({ kind: 'user', name: 'a@b' });
    for (const bad of ['', 'ALL', 'safe:', 'safe: ', 'group:x', ':x'])
      expect(() => parseScope(bad), bad).toThrow(/scope/);
  });

  it('parses durations and cron expressions', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(() => parseDuration('15')).toThrow(RangeError);
    expect(() => parseDuration('1w')).toThrow(RangeError);
    expect(() => checkCron('0 * * * *')).not.toThrow();
    expect(() => checkCron('61 * * * *')).toThrow(/invalid cron/);
  });
});
