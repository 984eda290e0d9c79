/**
 * The embedded store's on-disk form: a versioned NDJSON snapshot, one node or edge per line, written to a temporary
 * file, fsynced and renamed over the previous snapshot, so a reader sees either the old graph or the new one.
 * NDJSON (rather than one JSON document) keeps large tenants below V8's string limit and lets us stream.
 *
 * Version 2 adds the computed edges in their compact form (src/effective/effective-set.ts): node keys, step
 * fragments, chains, paths, permission lists and edge rows, in chunked lines ("E…"), so that millions of
 * HAS_EFFECTIVE_PERMISSION edges cost tens of bytes each instead of their full paths_json. Version 1 files (every
 * edge as an "e" line) are still read (snapshot-read.ts reads; this file writes and defines the format).
 */
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EffectiveSet, EffectiveSetParts } from '../../effective/effective-set.js';
import type { GraphEdge, GraphNode, NodeKind, PropValue } from '../../graph/schema.js';
import { StoreError } from '../errors.js';

export const SNAPSHOT_FORMAT = 'arkgraph-snapshot';
export const SNAPSHOT_VERSION = 2;
/** Versions this code reads. */
/** Items per chunked line of the effective section. */
const CHUNK = 10_000;
export const SNAPSHOT_FILE = 'graph.ndjson';
/** Bytes read from a snapshot at a time (the buffer grows while a line is longer; as readline's stream reads). */

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

/** Writes `text` to `file` atomically: temp file in the same directory, fsync, rename. */
export async function writeFileAtomic(
  file: string,
  write: (append: (chunk: string) => Promise<void>) => Promise<void>,
) {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    let buffer = '';
    const append = async (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 1 << 20) {
        await handle.write(buffer);
        buffer = '';
      }
    };
    await write(append);
    if (buffer) await handle.write(buffer);
    await handle.sync();
    await handle.close();
    await rename(tmp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
}

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

export async function writeSnapshot(
  dir: string,
  syncId: string,
  nodes: Iterable<StoredNode>,
  edges: Iterable<StoredEdge>,
  effective?: StoredEffective,
): Promise<void> {
  const header: Header = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: new Date().toISOString(),
    syncId,
  };
  await writeFileAtomic(path.join(dir, SNAPSHOT_FILE), async (append) => {
    await append(`${JSON.stringify(header)}\n`);
    let nodeCount = 0;
    let edgeCount = 0;
    for (const n of nodes) {
      const line: NodeLine = ['n', n.kind, n.id, n.nativeId, n.tenantId, n.source, n.syncId, n.props];
      await append(`${JSON.stringify(line)}\n`);
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
      await append(`${JSON.stringify(line)}\n`);
      edgeCount++;
    }
    if (effective) await writeEffectiveSection(append, effective);
    const effectiveCount = effective?.set.size ?? 0;
    await append(`${JSON.stringify({ end: true, nodes: nodeCount, edges: edgeCount, effective: effectiveCount })}\n`);
  });
}

async function writeEffectiveSection(append: (chunk: string) => Promise<void>, e: StoredEffective): Promise<void> {
  const { set } = e;
  const line = (tag: string, items: unknown[]) => append(`${JSON.stringify([tag, items])}\n`);
  const chunked = async (tag: string, count: number, item: (i: number, out: unknown[]) => void) => {
    for (let start = 0; start < count; start += CHUNK) {
      const out: unknown[] = [];
      for (let i = start; i < Math.min(count, start + CHUNK); i++) item(i, out);
      await line(tag, out);
    }
  };
  await append(
    `${JSON.stringify([
      'E',
      {
        syncId: e.syncId,
        nodes: e.keys.length,
        fragments: set.fragments.length,
        chains: set.chainPrefix.length,
        paths: set.pathChain.length,
        edges: set.size,
      },
    ])}\n`,
  );
  await chunked('Ek', e.keys.length, (i, out) => out.push(e.keys[i], set.ownFragment[i]));
  await chunked('Ef', set.fragments.length, (i, out) => out.push(set.fragments[i]));
  await chunked('Ec', set.chainPrefix.length, (i, out) =>
    out.push(set.chainPrefix.get(i), set.chainFragment.get(i), set.chainDynamic.get(i)),
  );
  await chunked('Ep', set.pathChain.length, (i, out) => out.push(set.pathChain.get(i), set.pathLast.get(i)));
  await line('El', set.permissionLists);
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
  });
}

export async function snapshotExists(dir: string): Promise<boolean> {
  try {
    await stat(path.join(dir, SNAPSHOT_FILE));
    return true;
  } catch {
    return false;
  }
}

export async function readJsonFile<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new StoreError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
