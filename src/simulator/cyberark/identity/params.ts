/** Small readers the Identity route modules share: request parameters, column lists, the page-size cap of a fault. */
import type { FastifyRequest } from 'fastify';
import { cappedPageSize } from '../../shared/fault-injection.js';
import type { ColumnDef } from '../redrock/dataset.js';

/** The pageSizeCap fault's cap for this request, if any (the client's own page size is in the body's Args). */
export function pageCap(request: FastifyRequest): number | undefined {
  const c = cappedPageSize(request, Number.POSITIVE_INFINITY);
  return Number.isFinite(c) ? c : undefined;
}

export function stringParam(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number') return String(v);
  return undefined;
}

export function columnsOf(...names: string[]): ColumnDef[] {
  return names.map((name) => ({ name, type: name === 'AdministrativeRights' ? 'object' : 'string' }));
}
