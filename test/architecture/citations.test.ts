/**
 * What users read cites what users can open (issue 15, item 13): no file of docs/, src/ or the README points at the
 * team's internal research notes (shared/reference/…, or one of its files by name with a section number); facts cite
 * the public documentation or SDK they come from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const INTERNAL =
  /shared\/reference|\b(?:cyberark-api|entra-ad|isp-audit|scim|bloodhound-opengraph)\.md\b|\breference §/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return /\.(ts|md|json|cypher)$/.test(name) ? [full] : [];
  });
}

describe('citations', () => {
  it('docs/, src/ and README.md cite public sources, not the internal reference notes', () => {
    const offending: string[] = [];
    for (const file of [
      ...files(path.join(ROOT, 'docs')),
      ...files(path.join(ROOT, 'src')),
      path.join(ROOT, 'README.md'),
    ]) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (INTERNAL.test(line)) offending.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offending).toEqual([]);
  });
});
