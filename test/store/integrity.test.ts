/**
 * What the embedded store checks when it loads a snapshot: the trailer's counts and checksum, every edge's ends,
 * duplicates, the length of a line and what is at the snapshot's path. Each damage ends in a StoreError that names
 * the file and what is wrong, which the CLI maps to exit 4 and the API to 503: never a graph that answers wrongly.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { problemFor } from '../../src/api/problem.js';
import { exitCodeFor } from '../../src/cli/errors.js';
import { StoreError } from '../../src/store/errors.js';
import { loadGraph } from '../../src/store/memory/graph.js';
import { MAX_LINE_BYTES, SNAPSHOT_FILE, type StoredNode, writeSnapshot } from '../../src/store/memory/snapshot.js';
import { HEADER, sealed } from './sealed.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-integrity-'));
  dirs.push(dir);
  return dir;
}

const node = (id: string, props: Record<string, unknown> = {}) =>
  JSON.stringify(['n', 'Safe', id, id, 'T', 'privilegecloud', 's', props]);
const user = (id: string) => JSON.stringify(['n', 'VaultUser', id, id, 'T', 'privilegecloud', 's', {}]);
const member = (from: string, to: string) =>
  JSON.stringify(['e', 'SAFE_MEMBER', 'VaultUser', from, 'Safe', to, 'T', 'privilegecloud', 's', {}]);

/** A small valid snapshot: two users, two safes, memberships. */
const GOOD = [HEADER, user('u1'), user('u2'), node('s1'), node('s2'), member('u1', 's1'), member('u2', 's2')];

/** What loading `text` as the snapshot ends in: 'loaded', or the error with the directory left out. */
async function load(text: string | undefined, make?: (file: string) => Promise<void>): Promise<string> {
  const dir = await tempDir();
  const file = path.join(dir, SNAPSHOT_FILE);
  if (text !== undefined) await writeFile(file, text);
  await make?.(file);
  try {
    await loadGraph(dir);
    return 'loaded';
  } catch (error) {
    // Every load failure is a store failure: exit 4 in the CLI, 503 store-unavailable in the API.
    expect(error).toBeInstanceOf(StoreError);
    expect(exitCodeFor(error)).toBe(4);
    expect(problemFor(error).status).toBe(503);
    return (error as Error).message.replace(dir, '<dir>');
  }
}

const rebuild = (problem: string) => `snapshot <dir>/graph.ndjson ${problem}; run arkgraph sync to rebuild it`;

describe('the trailer: counts and checksum', () => {
  it('loads a sealed snapshot', async () => {
    expect(await load(sealed(GOOD))).toBe('loaded');
  });

  it('a deleted edge line: the counts no longer match', async () => {
    const text = sealed(GOOD).replace(`${member('u2', 's2')}\n`, '');
    expect(await load(text)).toBe(
      rebuild('is corrupt (the end marker counts 4 nodes, 2 edges and 0 computed edges, the file holds 4, 1 and 0)'),
    );
  });

  it('an edited line: the counts match, the checksum does not', async () => {
    const text = sealed(GOOD).replace(node('s2'), node('s2', { name: 'renamed' }));
    expect(await load(text)).toBe(rebuild('is corrupt (its checksum does not match its content)'));
  });

  it('a line after the end marker', async () => {
    expect(await load(`${sealed(GOOD)}${user('u3')}\n`)).toBe(
      rebuild('is corrupt at line 9 (a line after the end marker)'),
    );
  });

  it('a trailer without its checksum is no trailer', async () => {
    const text = `${GOOD.join('\n')}\n{"end":true,"nodes":4,"edges":2,"effective":0}\n`;
    expect(await load(text)).toBe(rebuild('is corrupt at line 8 (a line of no known kind)'));
  });
});

describe('edge ends and duplicates', () => {
  it('a deleted node line: its edge dangles', async () => {
    expect(await load(sealed(GOOD.filter((l) => l !== node('s1'))))).toBe(
      rebuild(
        'is corrupt at line 5 (SAFE_MEMBER edge VaultUser|u1 -> Safe|s1 joins a node the snapshot does not hold)',
      ),
    );
  });

  it('a computed edge to a node the file does not hold', async () => {
    const meta = ['E', { syncId: 's', nodes: 2, fragments: 0, chains: 0, paths: 0, lists: 1, edges: 1 }];
    const text = sealed([
      ...GOOD,
      JSON.stringify(meta),
      '["Ek",["VaultUser|u1",-1,"Safe|gone",-1]]',
      '["El",[["retrieveAccounts"]]]',
      '["Ee",[0,1,0,1,0,0,0]]',
    ]);
    expect(await load(text)).toBe(
      rebuild('is corrupt (a computed edge joins Safe|gone, a node the snapshot does not hold)'),
    );
  });

  it('a computed edge whose index is out of range', async () => {
    const meta = ['E', { syncId: 's', nodes: 1, fragments: 0, chains: 0, paths: 0, lists: 1, edges: 1 }];
    const text = sealed([
      ...GOOD,
      JSON.stringify(meta),
      '["Ek",["Safe|s1",-1]]',
      '["El",[[]]]',
      '["Ee",[0,5,0,1,0,0,0]]',
    ]);
    expect(await load(text)).toBe(
      rebuild('is corrupt (computed edge 0 refers to a node or permission list the section does not hold)'),
    );
  });

  it('a node twice, an edge twice (even with counts and checksum to match)', async () => {
    expect(await load(sealed([...GOOD.slice(0, 4), node('s1'), ...GOOD.slice(4)]))).toBe(
      rebuild('is corrupt at line 5 (node Safe|s1 appears twice)'),
    );
    expect(await load(sealed([...GOOD, member('u1', 's1')]))).toBe(
      rebuild('is corrupt at line 8 (SAFE_MEMBER edge VaultUser|u1 -> Safe|s1 appears twice)'),
    );
  });

  it('lines of the wrong shape', async () => {
    expect(await load(sealed([HEADER, '["n","Safe"]']))).toBe(
      rebuild('is corrupt at line 2 (a node line of the wrong shape)'),
    );
    expect(await load(sealed([HEADER, '["e",1,2]']))).toBe(
      rebuild('is corrupt at line 2 (an edge line of the wrong shape)'),
    );
    expect(await load(sealed([HEADER, '["E",{"nodes":"x"}]']))).toBe(
      rebuild('is corrupt at line 2 (an effective-permission header of the wrong shape)'),
    );
  });
});

describe('what is at the path, and how long a line is', () => {
  it('a directory in place of the file', async () => {
    expect(await load(undefined, (file) => mkdir(file))).toBe(rebuild('is a directory, not a snapshot file'));
  });

  it('a line longer than any snapshot line may be: stops there, without buffering the rest', async () => {
    const over = await load(undefined, async (file) => {
      const h = await open(file, 'w');
      await h.write(`${HEADER}\n["n","Safe","a","a","T","privilegecloud","s",{"description":"`);
      const chunk = Buffer.alloc(1 << 20, 'x');
      for (let i = 0; i <= MAX_LINE_BYTES >> 20; i++) await h.write(chunk);
      await h.write('"}]\n');
      await h.close();
    });
    expect(over).toBe(rebuild(`is corrupt at line 2 (a line is longer than ${MAX_LINE_BYTES} bytes)`));
  });

  it('the writer refuses a line the reader would not read, and leaves nothing behind', async () => {
    const dir = await tempDir();
    const big: StoredNode = {
      kind: 'Safe',
      id: 'T:big',
      nativeId: 'big',
      tenantId: 'T',
      source: 'privilegecloud',
      syncId: 's',
      props: { description: 'x'.repeat(MAX_LINE_BYTES) },
    };
    const error = await writeSnapshot(dir, 's', [big], []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).reason).toBe('invalid-write');
    expect(await readdir(dir)).toEqual([]);
  });

  it('the writer keeps chunked lines short when their items are long', async () => {
    const dir = await tempDir();
    const nodes: StoredNode[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'Safe',
      id: `T:${'k'.repeat(50_000)}${i}`,
      nativeId: `${i}`,
      tenantId: 'T',
      source: 'privilegecloud',
      syncId: 's',
      props: {},
    }));
    const { EffectiveSet } = await import('../../src/effective/effective-set.js');
    const set = new EffectiveSet(nodes);
    await writeSnapshot(dir, 's', nodes, [], { set, keys: nodes.map((n) => `Safe|${n.id}`), syncId: 's' });
    const lines = (await readFile(path.join(dir, SNAPSHOT_FILE), 'utf8')).split('\n');
    const keyLines = lines.filter((l) => l.startsWith('["Ek",'));
    // 15 MB of keys: in several lines of about 4 MB, not one.
    expect(keyLines.length).toBeGreaterThan(2);
    expect(Math.max(...keyLines.map((l) => l.length))).toBeLessThan(5 << 20);
    expect(await loadGraph(dir)).toBeDefined();
  });

  it('the checksum is the SHA-256 of the content lines, as the trailer says', async () => {
    const dir = await tempDir();
    await writeSnapshot(dir, 's', [], []);
    const lines = (await readFile(path.join(dir, SNAPSHOT_FILE), 'utf8')).trimEnd().split('\n');
    const trailer = JSON.parse(lines.pop()!);
    expect(trailer).toMatchObject({ end: true, nodes: 0, edges: 0, effective: 0 });
    expect(trailer.sha256).toBe(
      createHash('sha256')
        .update(`${lines.join('\n')}\n`)
        .digest('hex'),
    );
  });
});
