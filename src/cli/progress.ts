/** Progress of a sync: a redrawn status line on a TTY, info logs (one per phase) otherwise. */

import type { Logger } from '../log.js';
import type { ProgressEvent, ProgressListener } from '../sources/source.js';

export function progressReporter(
  stream: NodeJS.WriteStream,
  logger: Logger,
): { listener: ProgressListener; done(): void } {
  const tty = stream.isTTY === true;
  const state = new Map<string, string>();
  let last = 0;
  let drawn = false;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const line = [...state].map(([source, text]) => `${source}: ${text}`).join(' | ');
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 120) - 1)}`);
    drawn = true;
  };
  const bar = (done: number, total?: number) => {
    if (!total) return `${done}`;
    const width = 20;
    const filled = Math.min(width, Math.round((done / total) * width));
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
  };
  const listener = (e: ProgressEvent) => {
    if (e.type === 'phase') {
      if (tty) {
        state.set(e.source, e.phase);
        draw(true);
      } else logger.info({ source: e.source, phase: e.phase }, 'extracting');
      return;
    }
    if (tty) {
      state.set(e.source, `${e.phase} ${bar(e.done, e.total)}`);
      draw();
    }
  };
  return {
    listener,
    done() {
      if (tty && drawn) {
        stream.write('\r\x1b[2K');
        drawn = false;
      }
    },
  };
}
