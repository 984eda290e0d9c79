/** Privilege Cloud / PAS error answers (psPAS Invoke-PASRestMethod): `{ErrorCode, ErrorMessage}`. */
import type { FastifyReply } from 'fastify';

// PASWS code values are undocumented except PASWS027E "safe not found" (third-party mocks) and the ones the
// brief fixes (ITATS127E logon failure, PASWS167E accounts limit).
export const PAS_ERRORS = {
  unauthorized: 'PASWS006E',
  logonFailed: 'ITATS127E',
  safeNotFound: 'PASWS027E',
  badParameter: 'PASWS160E',
  accountsLimit: 'PASWS167E',
  notFound: 'PASWS404E',
} as const;

/** An error a route throws; the server's error handler answers it with its status and PAS code. */
export class PasError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function send(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ ErrorCode: code, ErrorMessage: message });
}

export function badParam(message: string): PasError {
  return new PasError(400, PAS_ERRORS.badParameter, message);
}
