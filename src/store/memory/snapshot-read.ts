/**
 * Reads a snapshot (snapshot.ts defines the format) in 64 KiB buffers, splitting lines on the bytes; the effective
 * section's number lines are parsed from the bytes straight into typed columns. Every problem is a StoreError
 * ('corrupt' or 'io') that says to run a sync to rebuild the file.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { IntColumn } from '../../effective/columns.js';
import { StoreError } from '../errors.js';
import {
  type EdgeLine,
  type EffectiveSection,
  type Header,
  type NodeLine,
  SNAPSHOT_FILE,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type StoredEdge,
  type StoredNode,
  snapshotExists,
} from './snapshot.js';

const READABLE_VERSIONS = new Set([1, 2]);
const READ_BYTES = 1 << 16;

/** Accumulates the "E…" lines of a snapshot into an EffectiveSet's columns. */
class EffectiveReader {
  readonly keys: string[] = [];
  private readonly own: number[] = [];
  private readonly fragments: string[] = [];
  private readonly chainPrefix = IntColumn.int32();
  private readonly chainFragment = IntColumn.int32();
  private readonly chainDynamic = IntColumn.int32();
  private readonly pathChain = IntColumn.int32();
  private readonly pathLast = IntColumn.int32();
  private permissionLists: string[][] = [];
  private readonly principal = IntColumn.int32();
  private readonly resource = IntColumn.int32();
  private readonly permissionList = IntColumn.int32();
  private readonly pathCount = IntColumn.int32();
  private readonly expiredCount = IntColumn.int32();
  private readonly dynamic = IntColumn.int32();
  private readonly pathStart = IntColumn.int32();
  private readonly pathRefs = IntColumn.int32();
  expected: { syncId: string; nodes: number; fragments: number; chains: number; paths: number; edges: number };

  constructor(meta: EffectiveReader['expected']) {
    this.expected = meta;
  }

  line(tag: string, items: unknown[]): void {
    switch (tag) {
      case 'Ek':
        for (let i = 0; i < items.length; i += 2) {
          this.keys.push(items[i] as string);
          this.own.push(items[i + 1] as number);
        }
        return;
      case 'Ef':
        for (const f of items) this.fragments.push(f as string);
        return;
      case 'El':
        this.permissionLists = internLists(items as string[][]);
        return;
      default:
        this.numbers(tag, items as number[], items.length);
    }
  }

  /** A line of numbers only ("Ec", "Ep", "Ee"): the first `count` values of `v`. */
  numbers(tag: string, v: ArrayLike<number>, count: number): void {
    switch (tag) {
      case 'Ec':
        if (count % 3 !== 0) throw new Error('a chain row is cut short');
        for (let i = 0; i < count; i += 3) {
          this.chainPrefix.push(v[i]!);
          this.chainFragment.push(v[i + 1]!);
          this.chainDynamic.push(v[i + 2]!);
        }
        return;
      case 'Ep':
        if (count % 2 !== 0) throw new Error('a path row is cut short');
        for (let i = 0; i < count; i += 2) {
          this.pathChain.push(v[i]!);
          this.pathLast.push(v[i + 1]!);
        }
        return;
      case 'Ee':
        for (let i = 0; i < count; ) {
          const length = i + 7 <= count ? v[i + 6]! : -1;
          if (!(length >= 0) || i + 7 + length > count) throw new Error('an edge row is cut short');
          this.principal.push(v[i]!);
          this.resource.push(v[i + 1]!);
          this.permissionList.push(v[i + 2]!);
          this.pathCount.push(v[i + 3]!);
          this.expiredCount.push(v[i + 4]!);
          this.dynamic.push(v[i + 5]!);
          this.pathStart.push(this.pathRefs.length);
          for (let k = 0; k < length; k++) this.pathRefs.push(v[i + 7 + k]!);
          i += 7 + length;
        }
        return;
      default:
        throw new Error(`unknown line type ${tag}`);
    }
  }

  finish(): EffectiveSection {
    const e = this.expected;
    if (
      this.keys.length !== e.nodes ||
      this.fragments.length !== e.fragments ||
      this.chainPrefix.length !== e.chains ||
      this.pathChain.length !== e.paths ||
      this.principal.length !== e.edges
    ) {
      throw new Error('the effective-permission section is incomplete');
    }
    // The columns' spare capacity is given back, as the store does for a set it computes.
    return {
      keys: this.keys,
      syncId: e.syncId,
      parts: {
        fragments: this.fragments,
        ownFragment: Int32Array.from(this.own),
        chainPrefix: this.chainPrefix.trim(),
        chainFragment: this.chainFragment.trim(),
        chainDynamic: this.chainDynamic.trim(),
        pathChain: this.pathChain.trim(),
        pathLast: this.pathLast.trim(),
        permissionLists: this.permissionLists,
        principal: this.principal.trim(),
        resource: this.resource.trim(),
        permissionList: this.permissionList.trim(),
        pathCount: this.pathCount.trim(),
        expiredCount: this.expiredCount.trim(),
        dynamic: this.dynamic.trim(),
        pathStart: this.pathStart.trim(),
        pathRefs: this.pathRefs.trim(),
      },
    };
  }
}

/** The permission lists, each permission name one string shared by every list (the parsed line holds a copy each). */
function internLists(lists: string[][]): string[][] {
  const names = new Map<string, string>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const name = list[i]!;
      const known = names.get(name);
      if (known === undefined) names.set(name, name);
      else list[i] = known;
    }
  }
  return lists;
}

/**
 * Calls `onLine` with each line of `file` as a byte range of `buf` (without its "\n" or "\r\n"; the buffer is reused,
 * so the range is valid during the call only). One buffer read at a time: no chunk strings kept alive by the lines
 * sliced from them, no string concatenated across chunks and no promise per line, as with readline.
 */
async function forEachLine(file: string, onLine: (buf: Buffer, start: number, end: number) => void): Promise<void> {
  const handle = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafeSlow(READ_BYTES);
    // buf[0, filled) is the start of a line whose end has not been read yet.
    let filled = 0;
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      const end = filled + bytesRead;
      if (bytesRead === 0) {
        if (end > 0) onLine(buf, 0, buf[end - 1] === CR ? end - 1 : end);
        return;
      }
      const view = buf.subarray(0, end);
      let start = 0;
      for (let nl = view.indexOf(LF, filled); nl !== -1; nl = view.indexOf(LF, start)) {
        onLine(buf, start, nl > start && buf[nl - 1] === CR ? nl - 1 : nl);
        start = nl + 1;
      }
      filled = end - start;
      if (buf.length > READ_BYTES && filled <= READ_BYTES / 2) {
        // Back to the usual size once the long line is done.
        const smaller = Buffer.allocUnsafeSlow(READ_BYTES);
        buf.copy(smaller, 0, start, end);
        buf = smaller;
      } else {
        buf.copy(buf, 0, start, end);
      }
    }
  } finally {
    await handle.close();
  }
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const E = 0x45;

/** The tag of an "E…" line holding numbers only ("Ec", "Ep", "Ee") when the line starts like one, else undefined. */
function numberLineTag(buf: Buffer, start: number, end: number): string | undefined {
  // ["Ex",[
  if (end - start < 8 || buf[start] !== OPEN || buf[start + 1] !== QUOTE || buf[start + 2] !== E) return undefined;
  if (buf[start + 4] !== QUOTE || buf[start + 5] !== COMMA || buf[start + 6] !== OPEN) return undefined;
  const t = buf[start + 3];
  return t === 0x63 ? 'Ec' : t === 0x70 ? 'Ep' : t === 0x65 ? 'Ee' : undefined;
}

/**
 * Parses the integers of a `["Ex",[1,-2,3]]` line into `out` (from the byte after `["Ex",[`) and returns their count,
 * or -1 for anything but that exact shape of integers of up to 9 digits (JSON.parse then reads the line, as always).
 */
function parseIntegers(buf: Buffer, pos: number, end: number, out: { values: Int32Array }): number {
  let values = out.values;
  let count = 0;
  if (buf[pos] === CLOSE) pos++;
  else
    for (;;) {
      const negative = buf[pos] === MINUS;
      if (negative) pos++;
      const first = pos;
      let v = 0;
      for (let c = buf[pos]!; pos < end && c >= ZERO && c <= NINE; c = buf[++pos]!) v = v * 10 + (c - ZERO);
      const digits = pos - first;
      if (digits === 0 || digits > 9 || (digits > 1 && buf[first] === ZERO)) return -1;
      if (count === values.length) {
        const bigger = new Int32Array(values.length * 2);
        bigger.set(values);
        out.values = values = bigger;
      }
      values[count++] = negative ? -v : v;
      if (pos >= end) return -1;
      const c = buf[pos++];
      if (c === CLOSE) break;
      if (c !== COMMA) return -1;
    }
  return pos + 1 === end && buf[pos] === CLOSE ? count : -1;
}

export async function readSnapshot(
  dir: string,
  onNode: (n: StoredNode) => void,
  onEdge: (e: StoredEdge) => void,
  onEffective?: (section: EffectiveSection) => void,
): Promise<{ syncId: string; createdAt: string } | undefined> {
  const file = path.join(dir, SNAPSHOT_FILE);
  if (!(await snapshotExists(dir))) return undefined;
  let header: Header | undefined;
  let ended = false;
  let effective: EffectiveReader | undefined;
  let lineNo = 0;
  const scratch = { values: new Int32Array(1 << 16) };
  const corrupt = (error: unknown) =>
    new StoreError(
      'corrupt',
      `snapshot ${file} is corrupt at line ${lineNo} (${(error as Error).message}); run arkgraph sync to rebuild it`,
    );
  await forEachLine(file, (buf, start, end) => {
    lineNo++;
    if (start === end) return;
    // The numbers of the computed edges (most of the effective section) go straight into their columns.
    const tag = header ? numberLineTag(buf, start, end) : undefined;
    if (tag) {
      const count = parseIntegers(buf, start + 7, end, scratch);
      if (count >= 0) {
        if (!effective) throw corrupt(new Error('effective-permission rows before their header'));
        try {
          effective.numbers(tag, scratch.values, count);
        } catch (error) {
          throw corrupt(error);
        }
        return;
      }
    }
    const line = buf.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new StoreError('corrupt', `snapshot ${file} is corrupt at line ${lineNo}; run arkgraph sync to rebuild it`);
    }
    if (!header) {
      header = value as Header;
      if (header.format !== SNAPSHOT_FORMAT) throw new StoreError('corrupt', `${file} is not an arkgraph snapshot`);
      if (!READABLE_VERSIONS.has(header.version)) {
        throw new StoreError(
          'corrupt',
          `snapshot ${file} has format version ${header.version}; this arkgraph reads version ${SNAPSHOT_VERSION}: run arkgraph sync to rebuild it`,
        );
      }
      return;
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
    } else if (Array.isArray(value) && typeof value[0] === 'string' && value[0].startsWith('E')) {
      try {
        if (value[0] === 'E') effective = new EffectiveReader(value[1] as EffectiveReader['expected']);
        else if (effective) effective.line(value[0], value[1] as unknown[]);
        else throw new Error('effective-permission rows before their header');
      } catch (error) {
        throw corrupt(error);
      }
    } else if (value && typeof value === 'object' && (value as { end?: boolean }).end) {
      ended = true;
    }
  });
  if (!header) throw new StoreError('corrupt', `snapshot ${file} is empty; run arkgraph sync to rebuild it`);
  if (!ended) throw new StoreError('corrupt', `snapshot ${file} is truncated; run arkgraph sync to rebuild it`);
  if (effective) {
    try {
      onEffective?.(effective.finish());
    } catch (error) {
      throw new StoreError(
        'corrupt',
        `snapshot ${file} is corrupt (${(error as Error).message}); run arkgraph sync to rebuild it`,
      );
    }
  }
  return { syncId: header.syncId, createdAt: header.createdAt };
}
