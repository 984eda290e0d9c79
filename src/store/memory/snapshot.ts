/**
 * The embedded store's on-disk form: a versioned NDJSON snapshot, one node or edge per line, written atomically
 * (files.ts), so a reader sees either the old graph or the new one. NDJSON (rather than one JSON document) keeps
 * large tenants below V8's string limit and lets us stream.
 *
 * The computed edges are stored in their compact form (src/effective/effective-set.ts): node keys, step fragments,
 * chains, paths, permission lists and edge rows, in chunked lines ("E…"), so that millions of
 * HAS_EFFECTIVE_PERMISSION edges cost tens of bytes each instead of their full paths_json.
 *
 * Version 3 ends with a trailer that counts the node, edge and computed-edge rows and carries a SHA-256 over the
 * content lines (each line's bytes and a "\n", header included, trailer and empty lines not), so that a deleted,
 * duplicated or edited line is found when the file is read rather than answering wrongly. Versions 1 and 2 carry
 * no checksum: they are not read, and the next sync rebuilds them (snapshot-read.ts reads; this file writes).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { EffectiveSet, EffectiveSetParts } from '../../effective/effective-set.js';
import type { GraphEdge, GraphNode, NodeKind, PropValue } from '../../graph/schema.js';
import { StoreError } from '../errors.js';
import { type AtomicWriteOptions, writeFileAtomic } from './files.js';

export const SNAPSHOT_FORMAT = 'arkgraph-snapshot';
export const SNAPSHOT_VERSION = 3;
export const SNAPSHOT_FILE = 'graph.ndjson';
/** Rows per chunked line of the effective section. */
const CHUNK = 10_000;
/**
 * Characters after which a chunked line ends early (long keys or fragments, many paths per edge): a JSON character
 * is at most 6 bytes (\u0000), so a chunked line stays well below MAX_LINE_BYTES.
 */
const CHUNK_CHARS = 4 << 20;
/**
 * The longest line a snapshot may hold. The reader stops at it instead of buffering a damaged file's endless line
 * until memory runs out; the writer refuses a longer one (a sync fails cleanly rather than writing a snapshot no
 * one can read). Real lines are far shorter: a node's properties, or a chunk of at most CHUNK_CHARS.
 */
export const MAX_LINE_BYTES = 64 << 20;

export interface StoredNode extends GraphNode {
  syncId: string;
}
export interface StoredEdge extends GraphEdge {
  syncId: string;
}

export interface Header {
  format: string;
  version: number;
  createdAt: string;
  syncId: string;
}

/** The last line: what the file holds, to check that all of it was read, and unchanged. */
export interface Trailer {
  end: true;
  nodes: number;
  edges: number;
  effective: number;
  sha256: string;
}

export type NodeLine = ['n', NodeKind, string, string, string, GraphNode['source'], string, Record<string, PropValue>];
export type EdgeLine = [
  'e',
  GraphEdge['kind'],
  NodeKind,
  string,
  NodeKind,
  string,
  string,
  GraphEdge['source'],
  string,
  Record<string, PropValue>,
];

/** The computed edges as the embedded store keeps them: an EffectiveSet, its nodes' keys and the sync that wrote it. */
export interface StoredEffective {
  set: EffectiveSet;
  /** Node key (`<kind>|<id>`) of each node index of the set. */
  keys: string[];
  syncId: string;
}

/** What readSnapshot hands back for the effective section: the set's columns, and its node keys. */
export interface EffectiveSection {
  keys: string[];
  syncId: string;
  parts: EffectiveSetParts;
}

/** The byte length above which a line is measured (a UTF-16 unit is at most 3 bytes of UTF-8). */
const MEASURE_ABOVE = Math.floor((MAX_LINE_BYTES - 2) / 3);

export async function writeSnapshot(
  dir: string,
  syncId: string,
  nodes: Iterable<StoredNode>,
  edges: Iterable<StoredEdge>,
  effective?: StoredEffective,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const header: Header = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: new Date().toISOString(),
    syncId,
  };
  await writeFileAtomic(
    path.join(dir, SNAPSHOT_FILE),
    async (append) => {
      const hash = createHash('sha256');
      // Room for a "\r\n" (a copy may convert line ends; the reader accepts them).
      const put = async (value: unknown) => {
        const line = JSON.stringify(value);
        if (line.length > MEASURE_ABOVE && Buffer.byteLength(line) > MAX_LINE_BYTES - 2) {
          throw new StoreError(
            'invalid-write',
            `a snapshot line would be ${Buffer.byteLength(line)} bytes, over the ${MAX_LINE_BYTES} a line may hold: ${line.slice(0, 80)}…`,
          );
        }
        hash.update(line);
        hash.update('\n');
        await append(`${line}\n`);
      };
      await put(header);
      let nodeCount = 0;
      let edgeCount = 0;
      for (const n of nodes) {
        const line: NodeLine = ['n', n.kind, n.id, n.nativeId, n.tenantId, n.source, n.syncId, n.props];
        await put(line);
        nodeCount++;
      }
      for (const e of edges) {
        const line: EdgeLine = [
          'e',
          e.kind,
          e.from.kind,
          e.from.id,
          e.to.kind,
          e.to.id,
          e.tenantId,
          e.source,
          e.syncId,
          e.props,
        ];
        await put(line);
        edgeCount++;
      }
      if (effective) await writeEffectiveSection(put, effective);
      const trailer: Trailer = {
        end: true,
        nodes: nodeCount,
        edges: edgeCount,
        effective: effective?.set.size ?? 0,
        sha256: hash.digest('hex'),
      };
      await append(`${JSON.stringify(trailer)}\n`);
    },
    options,
  );
}

async function writeEffectiveSection(put: (value: unknown) => Promise<void>, e: StoredEffective): Promise<void> {
  const { set } = e;
  /** Lines of up to CHUNK rows or CHUNK_CHARS characters; `row` adds row i to `out` and returns about its length. */
  const chunked = async (tag: string, count: number, row: (i: number, out: unknown[]) => number) => {
    let out: unknown[] = [];
    let rows = 0;
    let chars = 0;
    for (let i = 0; i < count; i++) {
      chars += row(i, out);
      if (++rows === CHUNK || chars >= CHUNK_CHARS) {
        await put([tag, out]);
        out = [];
        rows = 0;
        chars = 0;
      }
    }
    if (rows > 0) await put([tag, out]);
  };
  /** Characters of a number in a line, at most ("-2147483648,"). */
  const NUM = 12;
  await put([
    'E',
    {
      syncId: e.syncId,
      nodes: e.keys.length,
      fragments: set.fragments.length,
      chains: set.chainPrefix.length,
      paths: set.pathChain.length,
      lists: set.permissionLists.length,
      edges: set.size,
    },
  ]);
  await chunked('Ek', e.keys.length, (i, out) => {
    out.push(e.keys[i], set.ownFragment[i]);
    return e.keys[i]!.length + NUM + 3;
  });
  await chunked('Ef', set.fragments.length, (i, out) => {
    out.push(set.fragments[i]);
    return set.fragments[i]!.length + 3;
  });
  await chunked('Ec', set.chainPrefix.length, (i, out) => {
    out.push(set.chainPrefix.get(i), set.chainFragment.get(i), set.chainDynamic.get(i));
    return 3 * NUM;
  });
  await chunked('Ep', set.pathChain.length, (i, out) => {
    out.push(set.pathChain.get(i), set.pathLast.get(i));
    return 2 * NUM;
  });
  await chunked('El', set.permissionLists.length, (i, out) => {
    const list = set.permissionLists[i]!;
    out.push(list);
    return list.reduce((n, p) => n + p.length + 3, 2);
  });
  await chunked('Ee', set.size, (i, out) => {
    const start = set.pathStart.get(i);
    const length = set.pathEnd(i) - start;
    out.push(
      set.principal.get(i),
      set.resource.get(i),
      set.permissionList.get(i),
      set.pathCount.get(i),
      set.expiredCount.get(i),
      set.dynamic.get(i),
      length,
    );
    for (let k = start; k < start + length; k++) out.push(set.pathRefs.get(k));
    return (7 + length) * NUM;
  });
}
