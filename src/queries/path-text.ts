/** A grant path as one line of text (CLI tables, CSV and spreadsheet exports). */
import type { GrantPath } from './types.js';

/** `alice ─MEMBER_OF→ Ops ─SAFE_MEMBER→ Linux Prod`; a step followed against its edge reads `←KIND─`. */
export function renderPath(path: GrantPath): string {
  return path
    .map((step, i) => {
      if (i === 0 || !step.via) return step.name;
      return step.reverse ? ` ←${step.via}─ ${step.name}` : ` ─${step.via}→ ${step.name}`;
    })
    .join('');
}
