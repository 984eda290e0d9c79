/**
 * API tokens: bearer tokens held only as SHA-256 digests, compared in constant time, each with a role.
 *
 * - `ARKGRAPH_API_TOKENS`: entries `[name=]role:token`, separated by commas, spaces or new lines. The tokens are hashed
 *   at start and the plain values are dropped (and registered as secrets, so they are scrubbed from any message).
 * - `ARKGRAPH_API_TOKENS_FILE`: a file with a JSON array (or JSON lines) of `{ "name", "role", "sha256" }`, where
 *   `sha256` is the hex SHA-256 of the token (`printf %s "$TOKEN" | sha256sum`). Nothing secret is stored in it.
 *
 * Roles nest: reader (queries, asset views, sync runs, readiness, docs) < reviewer (+ exports and reports) < admin
 * (+ starting syncs and testing the sources).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../config/config.js';
import { registerSecret } from '../http/index.js';

export const API_ROLES = ['reader', 'reviewer', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiToken {
  name: string;
  role: ApiRole;
  /** SHA-256 of the token (32 bytes). */
  sha256: Buffer;
}

export interface ApiPrincipal {
  name: string;
  role: ApiRole;
}

export const TOKEN_ENV = 'ARKGRAPH_API_TOKENS';
export const TOKEN_FILE_ENV = 'ARKGRAPH_API_TOKENS_FILE';
/** Shortest plain token accepted in ARKGRAPH_API_TOKENS. */
export const MIN_TOKEN_LENGTH = 24;
/** Longest Authorization value considered at all. */
const MAX_TOKEN_LENGTH = 512;

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const TOKEN_CHARS = /^[A-Za-z0-9._~+/=-]+$/;

export function roleAllows(held: ApiRole, required: ApiRole): boolean {
  return API_ROLES.indexOf(held) >= API_ROLES.indexOf(required);
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function isRole(value: string): value is ApiRole {
  return (API_ROLES as readonly string[]).includes(value);
}

/** Parses ARKGRAPH_API_TOKENS. Error messages name the entry by position and name, never by its token. */
export function parseTokenList(value: string, what = TOKEN_ENV): ApiToken[] {
  const tokens: ApiToken[] = [];
  const entries = value.split(/[\s,]+/).filter(Boolean);
  entries.forEach((entry, i) => {
    const where = `${what}: entry ${i + 1}`;
    const eq = entry.indexOf('=');
    const colon = entry.indexOf(':');
    // "name=role:token": the name ends at the first "=" before the first ":" (tokens may contain "=").
    const hasName = eq > 0 && (colon < 0 || eq < colon);
    const name = hasName ? entry.slice(0, eq) : undefined;
    const rest = hasName ? entry.slice(eq + 1) : entry;
    const sep = rest.indexOf(':');
    if (sep <= 0) throw new ConfigError(`${where}: expected [name=]role:token`);
    const role = rest.slice(0, sep);
    const token = rest.slice(sep + 1);
    if (!isRole(role)) throw new ConfigError(`${where}: role must be reader, reviewer or admin`);
    if (name !== undefined && !NAME.test(name)) throw new ConfigError(`${where}: name must match ${NAME.source}`);
    if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH || !TOKEN_CHARS.test(token)) {
      throw new ConfigError(
        `${where}${name ? ` (${name})` : ''}: the token must be ${MIN_TOKEN_LENGTH}-${MAX_TOKEN_LENGTH} characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. openssl rand -base64 32)`,
      );
    }
    registerSecret(token);
    tokens.push({ name: name ?? `${role}-${i + 1}`, role, sha256: hashToken(token) });
  });
  return tokens;
}

const fileEntry = z
  .object({
    name: z.string().regex(NAME),
    role: z.enum(API_ROLES),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters (the SHA-256 of the token)'),
  })
  .strict();

/** Parses an ARKGRAPH_API_TOKENS_FILE document: a JSON array, or one JSON object per line. */
export function parseTokenFile(text: string, file: string): ApiToken[] {
  let docs: unknown[];
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    docs = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => JSON.parse(l) as unknown);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (an array or JSON lines): ${(error as Error).message}`);
  }
  if (!Array.isArray(docs)) throw new ConfigError(`${file}: expected a JSON array of {name, role, sha256}`);
  return docs.map((doc, i) => {
    const parsed = fileEntry.safeParse(doc);
    if (!parsed.success) {
      throw new ConfigError(
        `${file}: entry ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(entry)'}: ${x.message}`).join('; ')}`,
      );
    }
    return { name: parsed.data.name, role: parsed.data.role, sha256: Buffer.from(parsed.data.sha256, 'hex') };
  });
}

/** Every configured token (environment list, then file). Names must be unique. */
export async function loadApiTokens(env: NodeJS.ProcessEnv = process.env): Promise<ApiToken[]> {
  const tokens: ApiToken[] = [];
  if (env[TOKEN_ENV]) tokens.push(...parseTokenList(env[TOKEN_ENV]));
  const file = env[TOKEN_FILE_ENV];
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `${TOKEN_FILE_ENV}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    tokens.push(...parseTokenFile(text, file));
  }
  const seen = new Set<string>();
  for (const t of tokens) {
    if (seen.has(t.name)) throw new ConfigError(`API token name "${t.name}" is used twice`);
    seen.add(t.name);
  }
  return tokens;
}

/** The bearer token of an Authorization header, or undefined (absent, another scheme, malformed, too long). */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 16) return undefined;
  const m = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(header);
  return m?.[1];
}

/** Constant-time lookup: every configured digest is compared, whatever matches. */
export class TokenVerifier {
  private readonly tokens: readonly ApiToken[];

  constructor(tokens: readonly ApiToken[]) {
    this.tokens = tokens.map((t) => ({ ...t, sha256: Buffer.from(t.sha256) }));
  }

  get size(): number {
    return this.tokens.length;
  }

  verify(token: string): ApiPrincipal | undefined {
    const digest = hashToken(token);
    let found: ApiToken | undefined;
    for (const t of this.tokens) {
      if (t.sha256.length === digest.length && timingSafeEqual(t.sha256, digest) && !found) found = t;
    }
    return found ? { name: found.name, role: found.role } : undefined;
  }
}
