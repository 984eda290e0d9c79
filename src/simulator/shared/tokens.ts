/**
 * In-process token store shared by the Identity and Privilege Cloud servers: a platform token issued by Identity is
 * accepted by Privilege Cloud as `Authorization: Bearer <token>`, and PAS session tokens (self-hosted logon) are kept
 * here too. Access tokens look like JWTs (HS256 with a random per-simulator key; nobody verifies the signature — the
 * store is the authority).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export type TokenKind = 'platform' | 'app' | 'pas';

export interface TokenRecord {
  token: string;
  kind: TokenKind;
  /** Login name of the client (OAuth client id or PAS username). */
  subject: string;
  appId?: string;
  scope?: string;
  issuedAt: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  revoked: boolean;
}

export type TokenCheck =
  | { status: 'valid'; record: TokenRecord }
  | { status: 'expired'; record: TokenRecord }
  | { status: 'revoked'; record: TokenRecord }
  | { status: 'unknown' };

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class TokenStore {
  readonly #key = randomBytes(32);
  readonly #kid = randomBytes(8).toString('hex');
  readonly #tokens = new Map<string, TokenRecord>();

  /** Issues a JWT-looking token; `claims` gets iat, exp and jti added. */
  issueJwt(
    kind: Exclude<TokenKind, 'pas'>,
    subject: string,
    ttlSeconds: number,
    claims: Record<string, unknown>,
    extra: { appId?: string; scope?: string } = {},
  ): TokenRecord {
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const expiresAt = now + ttlSeconds * 1000;
    const header = { alg: 'HS256', typ: 'JWT', kid: this.#kid, app_id: extra.appId ?? '__idaptive_cybr_user_oidc' };
    const payload = { ...claims, iat, exp: Math.floor(expiresAt / 1000), auth_time: iat, jti: randomUUID() };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = base64url(createHmac('sha256', this.#key).update(signingInput).digest());
    return this.#store({ token: `${signingInput}.${signature}`, kind, subject, issuedAt: now, expiresAt, ...extra });
  }

  /** Issues an opaque PAS session token (base64, 184 characters). */
  issueOpaque(subject: string, ttlSeconds: number): TokenRecord {
    const now = Date.now();
    return this.#store({
      token: randomBytes(138).toString('base64'),
      kind: 'pas',
      subject,
      issuedAt: now,
      expiresAt: now + ttlSeconds * 1000,
    });
  }

  #store(record: Omit<TokenRecord, 'revoked'>): TokenRecord {
    const full: TokenRecord = { ...record, revoked: false };
    this.#tokens.set(full.token, full);
    return full;
  }

  check(token: string | undefined): TokenCheck {
    const record = token ? this.#tokens.get(token) : undefined;
    if (!record) return { status: 'unknown' };
    if (record.revoked) return { status: 'revoked', record };
    if (record.expiresAt <= Date.now()) return { status: 'expired', record };
    return { status: 'valid', record };
  }

  /** Makes one token expire now (unknown tokens are ignored). */
  expire(token: string | undefined): void {
    const record = token ? this.#tokens.get(token) : undefined;
    if (record) record.expiresAt = Math.min(record.expiresAt, Date.now() - 1);
  }

  /** Makes every token issued so far expire now; later tokens are not affected. */
  expireAll(): void {
    const past = Date.now() - 1;
    for (const record of this.#tokens.values()) record.expiresAt = Math.min(record.expiresAt, past);
  }

  revoke(token: string): void {
    const record = this.#tokens.get(token);
    if (record) record.revoked = true;
  }
}

/** Decodes the payload of a JWT-looking token (no verification). */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
