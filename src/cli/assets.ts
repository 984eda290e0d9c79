/**
 * `arkgraph list <kind>`: a page of an asset list (safes, users, groups, roles, applications, accounts), the answer
 * of GET /api/v1/<kind> — the same query (src/api/routes/shared.ts assetListQuery: paging 1-500, default 100, and a
 * name search), the same QueryEngine.listAssets, the same JSON with --json.
 */
import { assetListQuery, assetQueryOf } from '../api/routes/shared.js';
import type { QueryEngine } from '../queries/engine.js';
import type { AssetListResult, AssetType } from '../queries/types.js';
import { viaApiSchema } from './options.js';
import { table } from './render.js';

export interface ListOptions {
  offset?: string;
  limit?: string;
  search?: string;
  json?: boolean;
}

export async function listCommand(
  queries: QueryEngine,
  type: AssetType,
  opts: ListOptions,
  io: { out: (t: string) => void },
): Promise<void> {
  const query = viaApiSchema(assetListQuery, { offset: opts.offset, limit: opts.limit, search: opts.search });
  const page = await queries.listAssets(assetQueryOf(type, query));
  io.out(opts.json ? JSON.stringify(page, null, 2) : renderAssetList(page, query.search));
}

/** A table of names and graph ids (what the other commands accept), and which items of how many it shows. */
export function renderAssetList(page: AssetListResult, search: string | undefined): string {
  const lines: string[] = [];
  if (page.items.length) {
    lines.push(
      table(
        ['NAME', 'ID'],
        page.items.map((i) => [String(i.name), String(i.id)]),
      ),
      '',
    );
  }
  const matching = search === undefined ? page.type : `${page.type} matching "${search}"`;
  const shown = page.items.length;
  const range = shown === 0 ? 'none' : `${page.offset + 1}-${page.offset + shown}`;
  const next =
    page.offset + shown < page.total ? ` (next page: --offset ${page.offset + shown} --limit ${page.limit})` : '';
  lines.push(`showing ${range} of ${page.total} ${matching}${next}`);
  return lines.join('\n');
}
