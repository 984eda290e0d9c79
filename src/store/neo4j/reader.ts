/** The Neo4j store's read primitives (GraphReader, src/queries/reader.ts): one Cypher file in cypher/ each. */
import neo4j, { type Node as Neo4jNode } from 'neo4j-driver';
import { type EdgeKind, type NodeKind, PRINCIPAL_KINDS, type PropValue } from '../../graph/schema.js';
import {
  type EffectivePage,
  type GraphReader,
  normalizeNodeProps,
  type ReaderEdge,
  type ReaderNode,
  type ReaderStep,
} from '../../queries/reader.js';
import { PRINCIPAL_KIND_RANK } from '../../queries/shape.js';
import { cypher, type Neo4jConnection } from './connection.js';
import { NODE_BOOKKEEPING } from './statements.js';

export function toReaderNode(n: Neo4jNode): ReaderNode {
  const p = n.properties as Record<string, PropValue>;
  const kind = p.ark_kind as NodeKind;
  const props: Record<string, PropValue> = {};
  for (const [k, v] of Object.entries(p)) if (!NODE_BOOKKEEPING.has(k)) props[k] = v;
  return {
    key: String(p.ark_key),
    kind,
    id: String(p.id),
    nativeId: String(p.native_id ?? ''),
    tenantId: String(p.tenant_id ?? ''),
    props: normalizeNodeProps(kind, props),
  };
}

export class Neo4jReader implements GraphReader {
  constructor(private readonly s: Neo4jConnection) {}

  async findNodes(kinds: readonly NodeKind[], field: 'id' | 'name' | 'native', value: string): Promise<ReaderNode[]> {
    const r =
      field === 'id'
        ? await this.s.run(cypher('find_by_key'), { keys: kinds.map((k) => `${k}|${value}`) })
        : await this.s.run(cypher(field === 'name' ? 'find_by_name' : 'find_by_native'), { kinds, value });
    return r.records.map((rec) => toReaderNode(rec.get('n')));
  }

  async names(kinds: readonly NodeKind[]): Promise<string[]> {
    const r = await this.s.run(cypher('names'), { kinds });
    const out = new Set<string>();
    for (const rec of r.records) {
      out.add(String(rec.get('name')));
      const native = rec.get('native');
      if (native !== null && native !== undefined && native !== '') out.add(String(native));
    }
    return [...out];
  }

  private async edges(query: string, key: string): Promise<ReaderEdge[]> {
    const r = await this.s.run(cypher(query), { key });
    return r.records.map((rec) => ({ node: toReaderNode(rec.get('node')), props: rec.get('props') }));
  }

  async effectiveInto(
    resourceKey: string,
    permission: string | null,
    offset: number,
    limit: number | null,
  ): Promise<EffectivePage> {
    const params = { key: resourceKey, permission };
    const [count, page] = await Promise.all([
      this.s.run(cypher('effective_into_count'), params),
      this.s.run(cypher('effective_into'), {
        ...params,
        kindRank: PRINCIPAL_KIND_RANK,
        otherRank: PRINCIPAL_KINDS.length,
        offset: neo4j.int(offset),
        limit: neo4j.int(limit ?? Number.MAX_SAFE_INTEGER),
      }),
    ]);
    return {
      total: Number(count.records[0]?.get('total') ?? 0),
      edges: page.records.map((rec) => ({ node: toReaderNode(rec.get('node')), props: rec.get('props') })),
      dynamicRoles: ((count.records[0]?.get('dynamicRoles') ?? []) as Neo4jNode[]).map(toReaderNode),
    };
  }

  effectiveFrom(principalKey: string): Promise<ReaderEdge[]> {
    return this.edges('effective_from', principalKey);
  }

  async directoryLinks(keys: readonly string[]) {
    const r = await this.s.run(cypher('directory_links'), { keys });
    return r.records.map((rec) => ({
      target: String(rec.get('target')),
      node: toReaderNode(rec.get('node')),
      matchRule: (rec.get('matchRule') as string | null) ?? null,
    }));
  }

  async grantSteps(keys: readonly string[]) {
    const r = await this.s.run(cypher('grant_steps'), { keys });
    return r.records.map((rec) => ({
      from: String(rec.get('from')),
      step: {
        to: toReaderNode(rec.get('node')),
        kind: rec.get('via') as EdgeKind,
        reverse: rec.get('reverse') === true,
        implicit: rec.get('implicit') === true,
      } satisfies ReaderStep,
    }));
  }

  async safeMemberships(keys: readonly string[], safeKey: string) {
    const r = await this.s.run(cypher('safe_memberships'), { keys, safeKey });
    return r.records.map((rec) => ({
      from: String(rec.get('from')),
      props: rec.get('props') as Record<string, PropValue>,
    }));
  }

  async containingSafe(accountKey: string): Promise<ReaderNode | undefined> {
    const r = await this.s.run(cypher('containing_safe'), { key: accountKey });
    const n = r.records[0]?.get('node');
    return n ? toReaderNode(n) : undefined;
  }

  async listNodes(kind: NodeKind, search: string | undefined, offset: number, limit: number) {
    const params = { kind, search: search ?? null };
    const [count, page] = await Promise.all([
      this.s.run(cypher('count_nodes'), params),
      this.s.run(cypher('list_nodes'), { ...params, offset: neo4j.int(offset), limit: neo4j.int(limit) }),
    ]);
    return {
      total: Number(count.records[0]?.get('total') ?? 0),
      items: page.records.map((rec) => toReaderNode(rec.get('n'))),
    };
  }
}
