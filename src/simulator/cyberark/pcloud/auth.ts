/**
 * Privilege Cloud / PAS authentication: which credential a request presents (an ISPSS platform token or a self-hosted
 * PAS session token), the self-hosted logon and logoff.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyOf, headerValue, parseBearer, pick } from '../../shared/http.js';
import type { TokenStore } from '../../shared/tokens.js';
import type { TenantModel } from '../model.js';
import { PAS_ERRORS, send } from './errors.js';
import { API } from './params.js';

/** The credential a request presents: `Bearer <platform token>` (ISPSS) or a raw PAS session token. */
export function presented(request: FastifyRequest): { token: string | undefined; bearer: boolean } {
  const header = headerValue(request, 'authorization');
  const bearer = parseBearer(header);
  return bearer !== undefined ? { token: bearer, bearer: true } : { token: header?.trim() || undefined, bearer: false };
}

export function registerLogon(
  app: FastifyInstance,
  opts: { model: TenantModel; tokens: TokenStore; pasSessionTtlSeconds: number },
): void {
  const { tokens } = opts;
  const pc = opts.model.tenant.privilegeCloud;
  // Self-hosted logon (psPAS New-PASSession): JSON body, answer is a JSON string (quoted) token.
  app.post<{ Params: { method: string } }>(`${API}/Auth/:method/Logon`, async (request, reply) => {
    const method = ['CyberArk', 'LDAP', 'RADIUS', 'Windows'].find(
      (m) => m.toLowerCase() === request.params.method.toLowerCase(),
    );
    if (!method)
      return send(reply, 404, PAS_ERRORS.notFound, `unknown authentication method "${request.params.method}"`);
    const body = bodyOf(request);
    const username = pick(body, 'username');
    const password = pick(body, 'password');
    const login = pc.pasLogins.find(
      (l) =>
        typeof username === 'string' &&
        l.username.toLowerCase() === username.toLowerCase() &&
        l.password === password &&
        l.method === method,
    );
    if (!login) {
      return send(reply, 401, PAS_ERRORS.logonFailed, `Authentication failure for User [${String(username ?? '')}].`);
    }
    const record = tokens.issueOpaque(login.username, opts.pasSessionTtlSeconds);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(record.token));
  });
}

/** Logoff revokes a PAS session token (a platform token is left alone). */
export function registerLogoff(api: FastifyInstance, tokens: TokenStore): void {
  api.post(`${API}/Auth/Logoff`, async (request, reply) => {
    const { token, bearer } = presented(request);
    if (token && !bearer) tokens.revoke(token);
    return reply.send({});
  });
}
