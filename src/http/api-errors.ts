/**
 * Per-source parsers for error bodies, plugged into HttpClientOptions.parseApiError / isRetryableBody.
 *
 * - CyberArk PAS / Privilege Cloud: {ErrorCode, ErrorMessage, Details?} (psPAS Invoke-PASRestMethod); on ISPSS
 *   gateways also {error, error_description} or {message, code}.
 * - Identity: the classic envelope {success:false, Message, MessageID, ErrorID, ErrorCode}.
 * - OAuth token endpoints: {error, error_description} (OAuth style; Entra adds error_codes, trace_id ...).
 * - Microsoft Graph: {error: {code, message, innerError}} — decisions key off `code` (Graph docs: errors).
 */

export interface ApiErrorInfo {
  code?: string;
  message: string;
}

export type ApiErrorParser = (status: number, body: unknown) => ApiErrorInfo | undefined;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function info(code: string | undefined, message: string | undefined): ApiErrorInfo | undefined {
  if (code === undefined && message === undefined) return undefined;
  const out: ApiErrorInfo = { message: message ?? code ?? '' };
  if (code !== undefined) out.code = code;
  return out;
}

/** OAuth 2.0 error body: {error: "invalid_client", error_description: "..."}. */
export function parseOAuthError(_status: number, body: unknown): ApiErrorInfo | undefined {
  if (!isRecord(body) || typeof body.error !== 'string') return undefined;
  return info(str(body.error), str(body.error_description) ?? str(body.error));
}

/** CyberArk bodies: PAS {ErrorCode, ErrorMessage, Details}, Identity envelope, gateway {message, code}, OAuth. */
export function parseCyberArkError(status: number, body: unknown): ApiErrorInfo | undefined {
  if (!isRecord(body)) return undefined;
  if ('ErrorCode' in body || 'ErrorMessage' in body) {
    const code = str(body.ErrorCode);
    let message = str(body.ErrorMessage);
    if (Array.isArray(body.Details)) {
      const details = body.Details.filter(isRecord)
        .map((d) => [str(d.ErrorCode), str(d.ErrorMessage)].filter(Boolean).join(': '))
        .filter((d) => d !== '');
      if (details.length > 0) message = `${message ?? ''}${message ? ' ' : ''}(${details.join('; ')})`;
    }
    if (code !== undefined || message !== undefined) return info(code, message);
  }
  if (body.success === false) {
    const code = str(body.ErrorCode) ?? str(body.MessageID);
    const errorId = str(body.ErrorID);
    const message = str(body.Message) ?? str(body.Exception) ?? 'request failed';
    return info(code, errorId ? `${message} (ErrorID ${errorId})` : message);
  }
  const oauth = parseOAuthError(status, body);
  if (oauth) return oauth;
  return info(str(body.code) ?? str(body.Code), str(body.message) ?? str(body.Message));
}

/** Microsoft Graph: {error: {code, message}}; token endpoint errors fall back to the OAuth shape. */
export function parseGraphError(status: number, body: unknown): ApiErrorInfo | undefined {
  if (!isRecord(body)) return undefined;
  if (isRecord(body.error)) return info(str(body.error.code), str(body.error.message));
  return parseOAuthError(status, body);
}

/** Used when a client has no parseApiError: tries the Graph, then the CyberArk shapes. */
export const defaultApiErrorParser: ApiErrorParser = (status, body) =>
  parseGraphError(status, body) ?? parseCyberArkError(status, body);

const PCLOUD_TRANSIENT = new Set(['ITADM111E', 'SRAPIE0006']);

/**
 * Privilege Cloud transient body codes (ITADM111E, SRAPIE0006 — retried by CyberArk's own Go SDK, idsec-sdk-golang
 * idsec_pcloud_retry_strategy.go), top level or in Details[].
 */
export function pcloudRetryableBody(body: unknown): boolean {
  if (!isRecord(body)) return false;
  const code = str(body.ErrorCode);
  if (code !== undefined && PCLOUD_TRANSIENT.has(code.toUpperCase())) return true;
  if (Array.isArray(body.Details)) {
    return body.Details.some((d) => isRecord(d) && PCLOUD_TRANSIENT.has((str(d.ErrorCode) ?? '').toUpperCase()));
  }
  return false;
}
