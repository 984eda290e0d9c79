/** Hand-written snapshots for the store tests, sealed as snapshot.ts seals them: counts and a SHA-256 in a trailer. */
import { createHash } from 'node:crypto';

export const HEADER = JSON.stringify({ format: 'arkgraph-snapshot', version: 3, createdAt: 'c', syncId: 's' });

/**
 * The snapshot text of `lines` (header first) with the trailer a writer would add: the node, edge and computed-edge
 * rows they hold and the SHA-256 over each line and a "\n". `counts` overrides what the trailer says.
 */
export function sealed(lines: string[], counts: Partial<Record<'nodes' | 'edges' | 'effective', number>> = {}): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  const meta = lines.find((l) => l.startsWith('["E",'));
  const trailer = {
    end: true,
    nodes: lines.filter((l) => l.startsWith('["n",')).length,
    edges: lines.filter((l) => l.startsWith('["e",')).length,
    effective: meta ? JSON.parse(meta)[1].edges : 0,
    ...counts,
    sha256: hash.digest('hex'),
  };
  return `${[...lines, JSON.stringify(trailer)].join('\n')}\n`;
}
