/**
 * The embedded store's durable file operations: an atomic write (temporary file, fsync, rename, fsync of the
 * directory), setting an unreadable file aside under a new name instead of deleting it, and removing the temporary
 * files of writes that were killed before their rename.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Whether a process with this id is running (EPERM: it runs, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Flushes a directory's entries (a rename or a new file in it) to disk: without it, a crash after the rename may
 * bring back the old name. Platforms that cannot open a directory (Windows) skip it.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}

/** The temporary files of writeFileAtomic: `<file>.tmp-<pid>-<ms>-<random>` (older versions: no random part). */
const TMP = /^(.+)\.tmp-(\d+)-\d+(-[0-9a-f]+)?$/;

export interface AtomicWriteOptions {
  /** Runs once the new content is on disk, just before it takes the file's name (to set the old file aside). */
  beforeRename?: () => Promise<void>;
}

/**
 * Writes `file` atomically: a temporary file in the same directory, fsynced, renamed over `file`, and the directory
 * fsynced, so that a reader (or a crash) sees either the old content or the new one, never a part.
 */
export async function writeFileAtomic(
  file: string,
  write: (append: (chunk: string) => Promise<void>) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}-${randomBytes(3).toString('hex')}`;
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
    await options.beforeRename?.();
    await rename(tmp, file);
    await fsyncDir(dir);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** A timestamp for file names: 20261122T101500123Z. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:.]/g, '');
}

/**
 * Renames `file` (a file, or a directory found in its place) to `<file>.<label>-<timestamp>` next to it and returns
 * that name; undefined when there is no `file`. Kept rather than deleted: it is what an operator needs to see what
 * went wrong, and the store never deletes data it could not read.
 */
export async function setAside(file: string, label: string): Promise<string | undefined> {
  const base = `${file}.${label}-${stamp()}`;
  for (let n = 0; ; n++) {
    const target = n === 0 ? base : `${base}-${n}`;
    // rename() replaces an existing file silently: an earlier set-aside copy of the same millisecond is kept.
    if (await exists(target)) continue;
    try {
      await rename(file, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    await fsyncDir(path.dirname(file));
    return path.basename(target);
  }
}

/**
 * Removes the temporary files that killed writes left in `dir` (a write that ends, well or badly, removes its own)
 * and returns how many and their size. Called with the store's lock held: the snapshot is written only under the
 * lock, so every temporary snapshot is a leftover, whoever's pid it names (pids are reused); other files (the run
 * history) may be written without the lock, so theirs go only when the process that named them is gone.
 */
export async function removeLeftovers(
  dir: string,
  lockedFiles: readonly string[],
): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const name of await readdir(dir)) {
    const m = TMP.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || (!lockedFiles.includes(m[1]!) && isAlive(pid))) continue;
    const file = path.join(dir, name);
    const size = await stat(file).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) continue;
    await rm(file, { force: true });
    files++;
    bytes += size;
  }
  return { files, bytes };
}
