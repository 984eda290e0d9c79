/**
 * Reads a snapshot (snapshot.ts defines the format) in 64 KiB buffers, splitting lines on the bytes; the effective
 * section's number lines are parsed from the bytes straight into typed columns. It checks what the trailer says
 * (row counts, the checksum) and the shape of every line; the callers check what needs the graph (edge ends,
 * duplicates). Every problem is a StoreError: UnusableSnapshot (reason 'corrupt') for a file no sync should start
 * from, which says to run a sync to rebuild it, or 'io' for a file that cannot be read at all.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../errors.js';
import { EffectiveReader } from './effective-read.js';
import {
  type EdgeLine,
  type EffectiveSection,
  type Header,
  MAX_LINE_BYTES,
  type NodeLine,
  SNAPSHOT_FILE,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type StoredEdge,
  type StoredNode,
  type Trailer,
} from './snapshot.js';

const READ_BYTES = 1 << 16;

/**
 * A snapshot no sync should start from, and no query answer from: damaged, cut short, of another version, or not a
 * file. A sync rebuilds it from the sources and keeps it aside as `graph.ndjson.<label>-<timestamp>`.
 */
export class UnusableSnapshot extends StoreError {
  constructor(
    readonly file: string,
    /** What is wrong, as the end of "graph.ndjson …": "is corrupt at line 6 (not JSON)". */
    readonly problem: string,
    /** How the set-aside copy is named: "corrupt", or "v2" for a snapshot of an older format. */
    readonly label = 'corrupt',
  ) {
    super('corrupt', `snapshot ${file} ${problem}; run arkgraph sync to rebuild it`);
  }
}

/** Thrown by forEachLine when a line is longer than any snapshot line may be. */
class LineTooLong extends Error {}

/**
 * Calls `onLine` with each line of `file` as a byte range of `buf` (without its "\n" or "\r\n"; the buffer is reused,
 * so the range is valid during the call only), and whether the byte after the range is the line's own "\n" (so the
 * checksum hashes line and end in one call). One buffer read at a time: no chunk strings kept alive by the lines
 * sliced from them, no string concatenated across chunks and no promise per line, as with readline.
 */
async function forEachLine(
  file: string,
  onLine: (buf: Buffer, start: number, end: number, lf: boolean) => void,
): Promise<void> {
  const handle = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafeSlow(READ_BYTES);
    // buf[0, filled) is the start of a line whose end has not been read yet.
    let filled = 0;
    for (;;) {
      if (filled === buf.length) {
        // A damaged file's endless line would otherwise be buffered until memory runs out.
        if (buf.length >= MAX_LINE_BYTES) throw new LineTooLong(`a line is longer than ${MAX_LINE_BYTES} bytes`);
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      const end = filled + bytesRead;
      if (bytesRead === 0) {
        if (end > 0) onLine(buf, 0, buf[end - 1] === CR ? end - 1 : end, false);
        return;
      }
      const view = buf.subarray(0, end);
      let start = 0;
      for (let nl = view.indexOf(LF, filled); nl !== -1; nl = view.indexOf(LF, start)) {
        const cr = nl > start && buf[nl - 1] === CR;
        onLine(buf, start, cr ? nl - 1 : nl, !cr);
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNodeLine = (v: unknown[]): v is NodeLine =>
  v.length === 8 && [1, 2, 3, 4, 5, 6].every((i) => typeof v[i] === 'string') && isObject(v[7]);
const isEdgeLine = (v: unknown[]): v is EdgeLine =>
  v.length === 10 && [1, 2, 3, 4, 5, 6, 7, 8].every((i) => typeof v[i] === 'string') && isObject(v[9]);
const isTrailer = (v: Record<string, unknown>): v is Record<string, unknown> & Trailer =>
  v.end === true &&
  ['nodes', 'edges', 'effective'].every((k) => Number.isSafeInteger(v[k])) &&
  typeof v.sha256 === 'string';

/** The version check: older snapshots carry no checksum, so nothing they say can be verified (snapshot.ts). */
function checkHeader(file: string, value: unknown): Header {
  if (!isObject(value) || value.format !== SNAPSHOT_FORMAT) {
    throw new UnusableSnapshot(file, 'is not an arkgraph snapshot');
  }
  const version = value.version;
  if (version === 1 || version === 2) {
    throw new UnusableSnapshot(file, `has format version ${version}, which carries no checksum`, `v${version}`);
  }
  if (version !== SNAPSHOT_VERSION) {
    throw new UnusableSnapshot(
      file,
      `has format version ${String(version)}; this arkgraph reads version ${SNAPSHOT_VERSION}`,
      typeof version === 'number' && Number.isSafeInteger(version) ? `v${version}` : 'corrupt',
    );
  }
  return value as unknown as Header;
}

/** Whether there is a snapshot file at the path (false: nothing there); anything else there is an UnusableSnapshot. */
async function checkFile(file: string): Promise<boolean> {
  try {
    const s = await stat(file);
    if (s.isFile()) return true;
    throw new UnusableSnapshot(file, s.isDirectory() ? 'is a directory, not a snapshot file' : 'is not a regular file');
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StoreError('io', `cannot read snapshot ${file}: ${(error as Error).message}`, { cause: error });
  }
}

const LF_BYTE = Buffer.from('\n');

/**
 * Reads the snapshot of `dir`, handing each node, edge and the effective section to the callbacks (which throw a
 * plain Error for what they find wrong: the line number is added here). Undefined when there is no snapshot.
 */
export async function readSnapshot(
  dir: string,
  onNode: (n: StoredNode) => void,
  onEdge: (e: StoredEdge) => void,
  onEffective?: (section: EffectiveSection) => void,
): Promise<{ syncId: string; createdAt: string } | undefined> {
  const file = path.join(dir, SNAPSHOT_FILE);
  if (!(await checkFile(file))) return undefined;
  let header: Header | undefined;
  let trailer: Trailer | undefined;
  let effective: EffectiveReader | undefined;
  let nodes = 0;
  let edges = 0;
  let lineNo = 0;
  const hash = createHash('sha256');
  const scratch = { values: new Int32Array(1 << 16) };
  const corrupt = (what: string, line?: number) =>
    new UnusableSnapshot(file, `is corrupt${line === undefined ? '' : ` at line ${line}`} (${what})`);
  const onLine = (buf: Buffer, start: number, end: number, lf: boolean) => {
    lineNo++;
    if (start === end) return;
    if (trailer) throw new Error('a line after the end marker');
    // The numbers of the computed edges (most of the effective section) go straight into their columns.
    const tag = header ? numberLineTag(buf, start, end) : undefined;
    if (tag) {
      const count = parseIntegers(buf, start + 7, end, scratch);
      if (count >= 0) {
        if (!effective) throw new Error('effective-permission rows before their header');
        effective.numbers(tag, scratch.values, count);
        hashLine(buf, start, end, lf);
        return;
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start, end));
    } catch {
      throw new Error('not JSON');
    }
    if (!header) {
      header = checkHeader(file, value);
    } else if (Array.isArray(value) && value[0] === 'n') {
      if (!isNodeLine(value)) throw new Error('a node line of the wrong shape');
      const [, kind, id, nativeId, tenantId, source, syncId, props] = value;
      onNode({ kind, id, nativeId, tenantId, source, syncId, props });
      nodes++;
    } else if (Array.isArray(value) && value[0] === 'e') {
      if (!isEdgeLine(value)) throw new Error('an edge line of the wrong shape');
      const [, kind, fromKind, fromId, toKind, toId, tenantId, source, syncId, props] = value;
      const from = { kind: fromKind, id: fromId };
      onEdge({ kind, from, to: { kind: toKind, id: toId }, tenantId, source, syncId, props });
      edges++;
    } else if (Array.isArray(value) && value[0] === 'E') {
      if (effective) throw new Error('a second effective-permission section');
      effective = new EffectiveReader(value[1]);
    } else if (Array.isArray(value) && typeof value[0] === 'string' && value[0].startsWith('E')) {
      if (!effective) throw new Error('effective-permission rows before their header');
      effective.line(value[0], value[1]);
    } else if (isObject(value) && isTrailer(value)) {
      trailer = value;
      return;
    } else {
      throw new Error('a line of no known kind');
    }
    hashLine(buf, start, end, lf);
  };
  /** The checksum covers each content line's bytes and a "\n", whatever its line end was in the file. */
  const hashLine = (buf: Buffer, start: number, end: number, lf: boolean) => {
    if (lf) hash.update(buf.subarray(start, end + 1));
    else hash.update(buf.subarray(start, end)).update(LF_BYTE);
  };
  try {
    await forEachLine(file, onLine);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if (typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new StoreError('io', `cannot read snapshot ${file}: ${(error as Error).message}`, { cause: error });
    }
    throw corrupt((error as Error).message, error instanceof LineTooLong ? lineNo + 1 : lineNo);
  }
  if (!header) throw new UnusableSnapshot(file, 'is empty');
  if (!trailer) throw new UnusableSnapshot(file, 'is truncated (it has no end marker)');
  const computed = effective?.expected.edges ?? 0;
  if (trailer.nodes !== nodes || trailer.edges !== edges || trailer.effective !== computed) {
    throw corrupt(
      `the end marker counts ${trailer.nodes} nodes, ${trailer.edges} edges and ${trailer.effective} computed edges, ` +
        `the file holds ${nodes}, ${edges} and ${computed}`,
    );
  }
  if (hash.digest('hex') !== trailer.sha256) throw corrupt('its checksum does not match its content');
  if (effective) {
    try {
      onEffective?.(effective.finish());
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw corrupt((error as Error).message);
    }
  }
  return { syncId: header.syncId, createdAt: header.createdAt };
}
