/**
 * The tables Identity's Redrock queries and DirectoryServiceQuery run over:
 * typed columns and rows with their entities, plus the error every query feature throws for what it does not support.
 */

export type ColumnType = 'string' | 'boolean' | 'date' | 'int' | 'object';

export interface ColumnDef {
  name: string;
  type: ColumnType;
}

export interface Entity {
  Type: string;
  Key: string;
  IsForeignKey: boolean;
}

/** One row before projection: canonical column values (dates as epoch ms) and its entities. */
export interface SourceRow {
  values: Record<string, unknown>;
  entities: Entity[];
}

export interface Dataset {
  tableName: string;
  /** Primary-key column (default sort order, so paging is stable). */
  key: string;
  columns: ColumnDef[];
  rows: SourceRow[];
}

export class QueryError extends Error {
  override name = 'QueryError';
}

/** A small least-recently-used cache: filtered and sorted row lists are reused across the pages of one query. */
export class Memo<V> {
  readonly #entries = new Map<string, V>();
  constructor(private readonly max = 32) {}

  get(key: string, compute: () => V): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }
}
