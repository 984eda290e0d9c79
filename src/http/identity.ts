/**
 * CyberArk Identity helpers (marcozj/golang-sdk): the response envelope, where logical errors come back as HTTP 200
 * with success:false, the Redrock page shape, and .NET JSON dates.
 *
 *   const env = await client.request({ method: 'POST', path: '/Redrock/query', json: {...},
 *                                      schema: identityEnvelope(redrockResult(userRow)) });
 *   const page = unwrapIdentity(env, client.source, 'POST /Redrock/query');
 */
import { z } from 'zod';
import { SourceError } from './errors.js';

const nullableText = z.union([z.string(), z.number()]).nullish();

const envelopeFields = {
  Message: nullableText,
  MessageID: nullableText,
  Exception: z.unknown().optional(),
  ErrorID: nullableText,
  ErrorCode: nullableText,
  IsSoftError: z.boolean().nullish(),
  InnerExceptions: z.unknown().optional(),
};

export type IdentityEnvelope<T> =
  | { success: true; Result: T; Message?: string | number | null; ErrorID?: string | number | null }
  | {
      success: false;
      Result?: unknown;
      Message?: string | number | null;
      MessageID?: string | number | null;
      Exception?: unknown;
      ErrorID?: string | number | null;
      ErrorCode?: string | number | null;
    };

/**
 * The envelope: when success is true, Result is validated with `result`; when false, Result is not looked at
 * (it is null) so that unwrapIdentity can report the logical error instead of a validation error.
 */
export function identityEnvelope<T>(result: z.ZodType<T>): z.ZodType<IdentityEnvelope<T>> {
  return z.discriminatedUnion('success', [
    z.object({ success: z.literal(true), Result: result, ...envelopeFields }),
    z.object({ success: z.literal(false), Result: z.unknown().optional(), ...envelopeFields }),
  ]) as unknown as z.ZodType<IdentityEnvelope<T>>;
}

/** Returns Result, or throws SourceError kind 'api' with Message / ErrorID / ErrorCode when success is false. */
export function unwrapIdentity<T>(envelope: IdentityEnvelope<T>, source: string, endpoint: string): T {
  if (envelope.success) return envelope.Result;
  const text = (v: unknown) =>
    typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
  const message = text(envelope.Message) ?? text(envelope.Exception) ?? 'request failed (success: false, no Message)';
  const code = text(envelope.ErrorCode) ?? text(envelope.MessageID);
  const errorId = text(envelope.ErrorID);
  const parts = [`Identity error${code ? ` ${code}` : ''}: ${message}`];
  if (errorId) parts.push(`(ErrorID ${errorId})`);
  return throwApi(source, endpoint, parts.join(' '), code);
}

function throwApi(source: string, endpoint: string, detail: string, code: string | undefined): never {
  throw new SourceError({ source, endpoint, kind: 'api', detail, ...(code ? { code } : {}) });
}

export const redrockEntitySchema = z
  .object({ Type: z.string().nullish(), Key: z.string(), IsForeignKey: z.boolean().nullish() })
  .loose();

export const redrockColumnSchema = z.object({ Name: z.string() }).loose();

export interface RedrockResult<R> {
  IsAggregate?: boolean | null;
  Count?: number | null;
  FullCount?: number | null;
  Columns?: Array<{ Name: string; [k: string]: unknown }> | null;
  Results: Array<{ Entities?: Array<z.infer<typeof redrockEntitySchema>> | null; Row: R }>;
  ReturnID?: string | null;
}

/**
 * A Redrock result page: {IsAggregate, Count, FullCount, Columns, Results[{Entities, Row}], ReturnID}. Only Results
 * is required: real answers omit Count at times (issue 14), and paging relies on Results and FullCount alone; the
 * rest is tolerated when absent (their semantics are only partly documented).
 */
export function redrockResult<R>(row: z.ZodType<R>): z.ZodType<RedrockResult<R>> {
  return z.object({
    IsAggregate: z.boolean().nullish(),
    Count: z.number().nullish(),
    FullCount: z.number().nullish(),
    Columns: z.array(redrockColumnSchema).nullish(),
    Results: z.array(z.object({ Entities: z.array(redrockEntitySchema).nullish(), Row: row })),
    ReturnID: z.string().nullish(),
  }) as unknown as z.ZodType<RedrockResult<R>>;
}

const DOTNET_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/**
 * '/Date(1717171717123)/' → '2024-05-31T16:08:37.123Z'. The optional +hhmm offset does not change the instant (the
 * number is UTC epoch ms). An ISO-8601 string is normalised too. null / '' / anything unparsable → null.
 */
export function parseDotNetDate(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const v = value.trim();
  const m = DOTNET_DATE.exec(v);
  if (m) {
    const d = new Date(Number(m[1]));
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  return null;
}

/** zod field for a nullable .NET date: validates the shape loosely and yields an ISO string or null. */
export const dotNetDate = z
  .string()
  .nullish()
  .transform((v) => parseDotNetDate(v));
