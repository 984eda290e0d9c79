/**
 * The embedded store's on-disk form: a versioned NDJSON snapshot, one node or edge per line, written to a temporary
 * file, fsynced and renamed over the previous snapshot, so a reader sees either the old graph or the new one.
 * NDJSON (rather than one JSON document) keeps large tenants below V8's string limit and lets us stream.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { GraphEdge, GraphNode, NodeKind, PropValue } from '../../graph/schema.js';

export const SNAPSHOT_FORMAT = 'arkgraph-snapshot';
export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_FILE = 'graph.ndjson';

export interface StoredNode extends GraphNode {
  syncId: string;
}
export interface StoredEdge extends GraphEdge {
  syncId: string;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

interface Header {
  format: string;
  version: number;
  createdAt: string;
  syncId: string;
}

type NodeLine = ['n', NodeKind, string, string, string, GraphNode['source'], string, Record<string, PropValue>];
type EdgeLine = [
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

export async function writeSnapshot(
  dir: string,
  syncId: string,
  nodes: Iterable<StoredNode>,
  edges: Iterable<StoredEdge>,
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
    await append(`${JSON.stringify({ end: true, nodes: nodeCount, edges: edgeCount })}\n`);
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

export async function readSnapshot(
  dir: string,
  onNode: (n: StoredNode) => void,
  onEdge: (e: StoredEdge) => void,
): Promise<{ syncId: string; createdAt: string } | undefined> {
  const file = path.join(dir, SNAPSHOT_FILE);
  if (!(await snapshotExists(dir))) return undefined;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let header: Header | undefined;
  let ended = false;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new StoreError(`snapshot ${file} is corrupt at line ${lineNo}; run arkgraph sync to rebuild it`);
    }
    if (!header) {
      header = value as Header;
      if (header.format !== SNAPSHOT_FORMAT) throw new StoreError(`${file} is not an arkgraph snapshot`);
      if (header.version !== SNAPSHOT_VERSION) {
        throw new StoreError(
          `snapshot ${file} has format version ${header.version}; this arkgraph reads version ${SNAPSHOT_VERSION}: run arkgraph sync to rebuild it`,
        );
      }
      continue;
    }
    if (Array.isArray(value) && value[0] === 'n') {
      const [, kind, id, nativeId, tenantId, source, syncId, props] = value as NodeLine;
      onNode({ kind, id, nativeId, tenantId, source, syncId, props });
    } else if (Array.isArray(value) && value[0] === 'e') {
      const [, kind, fromKind, fromId, toKind, toId, tenantId, source, syncId, props] = value as EdgeLine;
      onEdge({
        kind,
        from: { kind: fromKind, id: fromId },
        to: { kind: toKind, id: toId },
        tenantId,
        source,
        syncId,
        props,
      });
    } else if (value && typeof value === 'object' && (value as { end?: boolean }).end) {
      ended = true;
    }
  }
  if (!header) throw new StoreError(`snapshot ${file} is empty; run arkgraph sync to rebuild it`);
  if (!ended) throw new StoreError(`snapshot ${file} is truncated; run arkgraph sync to rebuild it`);
  return { syncId: header.syncId, createdAt: header.createdAt };
}

export async function readJsonFile<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new StoreError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
