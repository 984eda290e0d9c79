/**
 * The Identity "classic" response envelope (marcozj/golang-sdk): every Identity endpoint answers
 * `{success, Result, Message, ...}`, logical failures included (HTTP 200 with `success:false`).
 */
import { randomUUID } from 'node:crypto';

const ENVELOPE_TAIL = {
  Message: null,
  MessageID: null,
  Exception: null,
  ErrorID: null,
  ErrorCode: null,
  IsSoftError: false,
  InnerExceptions: null,
} as const;

/** `{success:true, Result, Message:null, ...}`. */
export function ok(result: unknown) {
  return { success: true, Result: result, ...ENVELOPE_TAIL };
}

/** Logical failure: HTTP 200 with `success:false` (IdentityCommand Get-IDResponse). */
export function fail(message: string, messageId: string | null = null) {
  return {
    success: false,
    Result: null,
    Message: message,
    MessageID: messageId,
    Exception: message,
    ErrorID: randomUUID(),
    ErrorCode: null,
    IsSoftError: false,
    InnerExceptions: null,
  };
}
