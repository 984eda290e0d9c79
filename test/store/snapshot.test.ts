/**
 * The snapshot reader (src/store/memory/snapshot.ts) reads what the previous one read: the same nodes, edges and
 * effective-permission columns as reading the file with readline and JSON.parse line by line, for lines longer than
 * its read buffer, CRLF line ends and numbers it leaves to JSON.parse; and the same errors.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { IntColumn } from '../../src/effective/columns.js';
import { EffectiveSet } from '../../src/effective/effective-set.js';
import {
  type EffectiveSection,
  SNAPSHOT_FILE,
  type StoredEdge,
  type StoredNode,
  writeSnapshot,
} from '../../src/store/memory/snapshot.js';
import { readSnapshot } from '../../src/store/memory/snapshot-read.js';
import { HEADER, sealed } from './sealed.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-snapshot-'));
  dirs.push(dir);
  return dir;
}

/** A small deterministic random generator (the same data every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const column = (values: number[]) => IntColumn.of(Int32Array.from(values));
const values = (c: { length: number; get(i: number): number }) => Array.from({ length: c.length }, (_, i) => c.get(i));

/** A graph with odd strings and an effective set of several chunked lines, one line longer than 64 KiB. */
function sample() {
  const rnd = random(7);
  const syncId = 'sync-1';
  const odd = ['plain', 'Zürich "quoted" \\ back', 'line\nbreak\r\n', 'emoji 🔑', 'tab\t', '', 'Núcleo'];
  const nodes: StoredNode[] = [];
  for (let i = 0; i < 300; i++) {
    nodes.push({
      kind: i % 3 === 0 ? 'Safe' : 'CyberArkUser',
      id: `T:${i}-${odd[i % odd.length]}`,
      nativeId: `${i}`,
      tenantId: 'T',
      source: 'identity',
      syncId,
      props: { name: `n${i} ${odd[(i * 7) % odd.length]}`, big: i === 5 ? 'x'.repeat(200_000) : i, flag: i % 2 === 0 },
    });
  }
  const edges: StoredEdge[] = [];
  for (let i = 0; i < 500; i++) {
    const from = nodes[Math.floor(rnd() * nodes.length)]!;
    const to = nodes[Math.floor(rnd() * nodes.length)]!;
    edges.push({
      kind: 'HAS_ROLE',
      from: { kind: from.kind, id: from.id },
      to: { kind: to.kind, id: to.id },
      tenantId: 'T',
      source: 'identity',
      syncId,
      props: { implicit: i % 2 === 0 },
    });
  }
  const fragments = Array.from({ length: 12_000 }, (_, i) =>
    JSON.stringify({ kind: 'Safe', id: `s${i}`, n: odd[i % 7] }),
  );
  const chains = 25_000;
  const paths = 23_000;
  const size = 31_000;
  const pathStart: number[] = [];
  const pathRefs: number[] = [];
  for (let i = 0; i < size; i++) {
    pathStart.push(pathRefs.length);
    const count = Math.floor(rnd() * 4);
    for (let k = 0; k < count; k++) pathRefs.push(Math.floor(rnd() * paths));
  }
  const ints = (count: number, max: number, negative = false) =>
    Array.from({ length: count }, (_, i) => (negative && i % 11 === 0 ? -1 : Math.floor(rnd() * max)));
  const keys = nodes.map((n) => `${n.kind}|${n.id}`);
  const set = new EffectiveSet(
    nodes.map((n) => ({ kind: n.kind, id: n.id, tenantId: n.tenantId })),
    {
      fragments,
      ownFragment: Int32Array.from(ints(nodes.length, fragments.length, true)),
      chainPrefix: column(ints(chains, chains, true)),
      chainFragment: column(ints(chains, fragments.length, true)),
      chainDynamic: column(ints(chains, 2)),
      pathChain: column(ints(paths, chains)),
      pathLast: column(ints(paths, fragments.length)),
      permissionLists: [['retrieveAccounts', 'listAccounts'], ['useAccounts'], ['retrieveAccounts'], []],
      principal: column(ints(size, nodes.length)),
      resource: column(ints(size, nodes.length)),
      permissionList: column(ints(size, 4)),
      pathCount: column(ints(size, 1_000_000_000)),
      expiredCount: column(ints(size, 3)),
      dynamic: column(ints(size, 2)),
      pathStart: column(pathStart),
      pathRefs: column(pathRefs),
    },
  );
  return { syncId, nodes, edges, effective: { set, keys, syncId } };
}

interface Read {
  info: unknown;
  nodes: StoredNode[];
  edges: StoredEdge[];
  effective?: { keys: string[]; syncId: string; parts: Record<string, unknown> };
}

function plainSection(s: EffectiveSection): Read['effective'] {
  const parts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.parts)) {
    parts[k] = v instanceof IntColumn ? values(v) : v instanceof Int32Array ? Array.from(v) : v;
  }
  return { keys: s.keys, syncId: s.syncId, parts };
}

async function read(dir: string): Promise<Read> {
  const out: Read = { info: undefined, nodes: [], edges: [] };
  out.info = await readSnapshot(
    dir,
    (n) => out.nodes.push(n),
    (e) => out.edges.push(e),
    (s) => {
      out.effective = plainSection(s);
    },
  );
  return out;
}

/** What the reader before this one (readline over a utf8 stream, JSON.parse per line) made of a valid snapshot. */
async function readWithReadline(dir: string): Promise<Read> {
  const out: Read = { info: undefined, nodes: [], edges: [] };
  const lines = createInterface({
    input: createReadStream(path.join(dir, SNAPSHOT_FILE), 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let header: { syncId: string; createdAt: string } | undefined;
  const e: Record<string, unknown[]> = {};
  let meta: { syncId: string } | undefined;
  for await (const line of lines) {
    if (line === '') continue;
    const v = JSON.parse(line);
    if (!header) {
      header = v;
      continue;
    }
    if (v[0] === 'n') {
      const [, kind, id, nativeId, tenantId, source, syncId, props] = v;
      out.nodes.push({ kind, id, nativeId, tenantId, source, syncId, props });
    } else if (v[0] === 'e') {
      const [, kind, fromKind, fromId, toKind, toId, tenantId, source, syncId, props] = v;
      const edge = { kind, from: { kind: fromKind, id: fromId }, to: { kind: toKind, id: toId } };
      out.edges.push({ ...edge, tenantId, source, syncId, props });
    } else if (v[0] === 'E') meta = v[1];
    else if (typeof v[0] === 'string' && v[0].startsWith('E')) {
      e[v[0]] ??= [];
      for (const item of v[1]) e[v[0]]!.push(item);
    }
  }
  out.info = { syncId: header!.syncId, createdAt: header!.createdAt };
  if (!meta) return out;
  const pick = (items: unknown[], stride: number, at: number) => items.filter((_, i) => i % stride === at);
  // The columns are Int32Arrays: -0 is 0 there.
  const int32 = (items: unknown[]) => Array.from(Int32Array.from(items as number[]));
  const rows: Record<string, number[]> = {
    principal: [],
    resource: [],
    permissionList: [],
    pathCount: [],
    expiredCount: [],
    dynamic: [],
  };
  const pathStart: number[] = [];
  const pathRefs: number[] = [];
  const ee = (e.Ee ?? []) as number[];
  for (let i = 0; i < ee.length; ) {
    for (const [k, column] of Object.values(rows).entries()) column.push(ee[i + k]!);
    pathStart.push(pathRefs.length);
    pathRefs.push(...ee.slice(i + 7, i + 7 + ee[i + 6]!));
    i += 7 + ee[i + 6]!;
  }
  out.effective = {
    keys: pick(e.Ek ?? [], 2, 0) as string[],
    syncId: meta.syncId,
    parts: {
      fragments: e.Ef ?? [],
      ownFragment: int32(pick(e.Ek ?? [], 2, 1)),
      chainPrefix: int32(pick(e.Ec ?? [], 3, 0)),
      chainFragment: int32(pick(e.Ec ?? [], 3, 1)),
      chainDynamic: int32(pick(e.Ec ?? [], 3, 2)),
      pathChain: int32(pick(e.Ep ?? [], 2, 0)),
      pathLast: int32(pick(e.Ep ?? [], 2, 1)),
      permissionLists: e.El ?? [],
      ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, int32(v)])),
      pathStart,
      pathRefs: int32(pathRefs),
    },
  };
  return out;
}

describe('snapshot reader', () => {
  it('reads what it wrote, as readline and JSON.parse read it', async () => {
    const dir = await tempDir();
    const s = sample();
    await writeSnapshot(dir, s.syncId, s.nodes, s.edges, s.effective);
    const text = await readFile(path.join(dir, SNAPSHOT_FILE), 'utf8');
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeGreaterThan(1 << 17); // longer than a read
    const got = await read(dir);
    expect(got).toEqual(await readWithReadline(dir));
    expect(got.nodes).toEqual(s.nodes);
    expect(got.edges).toEqual(s.edges);
    expect(got.effective!.parts.pathCount).toEqual(values(s.effective.set.pathCount));
    expect(got.effective!.parts.pathRefs).toEqual(values(s.effective.set.pathRefs));
    expect(got.effective!.keys).toEqual(s.effective.keys);
  });

  it('reads CRLF line ends, empty lines and a last line without its newline', async () => {
    const dir = await tempDir();
    const s = sample();
    await writeSnapshot(dir, s.syncId, s.nodes.slice(0, 20), s.edges.slice(0, 0), s.effective);
    const file = path.join(dir, SNAPSHOT_FILE);
    const expected = await read(dir);
    const text = await readFile(file, 'utf8');
    await writeFile(file, `${text.trimEnd().split('\n').join('\r\n\r\n')}`);
    expect(await read(dir)).toEqual(expected);
    expect(await readWithReadline(dir)).toEqual(expected);
  });

  it('reads numbers that only JSON.parse reads (spaces, 1e2, 2.0, -0) as before', async () => {
    const dir = await tempDir();
    const meta = { syncId: 's', nodes: 1, fragments: 1, chains: 2, paths: 2, lists: 1, edges: 3 };
    const lines = [
      HEADER,
      JSON.stringify(['E', meta]),
      '["Ek",["Safe|a",0]]',
      '["Ef",["{}"]]',
      '["Ec",[ -1, -1, 0 ,0,0,1e0]]',
      '["Ep",[0,0]]',
      '["Ep",[1.0,-0]]',
      '["El",[["x"]]]',
      '["Ee",[0,0,0,1234567890,0,0,1,1]]',
      '["Ee",[0,0,0,2e0,0,0,0, 0,0,0,3,0,0,2,0,1]]',
    ];
    await writeFile(path.join(dir, SNAPSHOT_FILE), sealed(lines));
    const got = await read(dir);
    expect(got).toEqual(await readWithReadline(dir));
    expect(got.effective!.parts).toMatchObject({
      chainPrefix: [-1, 0],
      chainDynamic: [0, 1],
      pathChain: [0, 1],
      pathLast: [0, 0],
      pathCount: [1234567890, 2, 3],
      pathStart: [0, 1, 1],
      pathRefs: [1, 0, 1],
    });
  });

  describe('errors', () => {
    const meta = JSON.stringify([
      'E',
      { syncId: 's', nodes: 0, fragments: 0, chains: 0, paths: 0, lists: 0, edges: 1 },
    ]);
    const node = '["n","Safe","a","a","T","identity","s",{}]';
    const attempt = async (text: string) => {
      const dir = await tempDir();
      await writeFile(path.join(dir, SNAPSHOT_FILE), text);
      return read(dir).then(
        () => 'no error',
        (error: Error) => `${error.name}: ${error.message.replace(dir, '<dir>')}`,
      );
    };
    const rebuild = (problem: string) =>
      `StoreError: snapshot <dir>/graph.ndjson ${problem}; run arkgraph sync to rebuild it`;

    it('names the corrupt line', async () => {
      expect(await attempt(sealed([HEADER, '', '["n","Safe"']))).toBe(rebuild('is corrupt at line 3 (not JSON)'));
      expect(await attempt(sealed([HEADER, meta, '["Ee",[0,0,0,1,0,0,0,x]]']))).toBe(
        rebuild('is corrupt at line 3 (not JSON)'),
      );
      expect(await attempt(sealed([HEADER, meta, '["Ee",[0,0,0,1,0,0,2,5]]']))).toBe(
        rebuild('is corrupt at line 3 (an edge row is cut short)'),
      );
      expect(await attempt(sealed([HEADER, '["Ee",[0,0,0,1,0,0,0]]']))).toBe(
        rebuild('is corrupt at line 2 (effective-permission rows before their header)'),
      );
      expect(await attempt(sealed([HEADER, meta]))).toBe(
        rebuild('is corrupt (the effective-permission section is incomplete)'),
      );
    });

    it('says truncated, empty, not a snapshot or another version', async () => {
      expect(await attempt(`${HEADER}\n${node}\n`)).toBe(rebuild('is truncated (it has no end marker)'));
      expect(await attempt(`${HEADER}\n["n","Safe"`)).toBe(rebuild('is corrupt at line 2 (not JSON)'));
      expect(await attempt('')).toBe(rebuild('is empty'));
      expect(await attempt('\n\n')).toBe(rebuild('is empty'));
      expect(await attempt('{"format":"other","version":3}\n')).toBe(rebuild('is not an arkgraph snapshot'));
      expect(await attempt('null\n')).toBe(rebuild('is not an arkgraph snapshot'));
      expect(await attempt('{"format":"arkgraph-snapshot","version":9}\n')).toBe(
        rebuild('has format version 9; this arkgraph reads version 3'),
      );
    });

    it('does not read a version 2 snapshot: it carries no checksum', async () => {
      const v2 = JSON.stringify({ format: 'arkgraph-snapshot', version: 2, createdAt: 'c', syncId: 's' });
      expect(await attempt(`${v2}\n${node}\n{"end":true,"nodes":1,"edges":0,"effective":0}\n`)).toBe(
        rebuild('has format version 2, which carries no checksum'),
      );
    });

    it('reads nothing when there is no snapshot', async () => {
      expect(
        await readSnapshot(
          await tempDir(),
          () => {},
          () => {},
        ),
      ).toBeUndefined();
    });
  });
});
