/**
 * The Cypher files spell edge kinds by hand (Cypher takes no parameter for a relationship type). This test holds each
 * file to the edge kinds src/graph/traversal.ts declares for what it reads, so a change of the traversal rules that
 * forgets a .cypher file fails here instead of making the two stores answer differently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EdgeKind } from '../../src/graph/schema.js';
import { EDGE_KINDS } from '../../src/graph/schema.js';
import { ACCESS_GRAPH_EDGES, FORWARD_GRANT_EDGES, REVERSE_GRANT_EDGES } from '../../src/graph/traversal.js';

const CYPHER_DIR = path.resolve(import.meta.dirname, '../../cypher');

/** Per file: the edge kinds it follows forward (`-[:X]->`) and backward (`<-[:X]-`). */
const DECLARED: Record<string, { forward: readonly EdgeKind[]; backward: readonly EdgeKind[] }> = {
  access_graph_edges: { forward: ACCESS_GRAPH_EDGES, backward: [] },
  access_graph_nodes: { forward: [], backward: [] },
  containing_safe: { forward: ['CONTAINS'], backward: [] },
  count_nodes: { forward: [], backward: [] },
  directory_links: { forward: [], backward: REVERSE_GRANT_EDGES },
  effective_from: { forward: ['HAS_EFFECTIVE_PERMISSION'], backward: [] },
  effective_into: { forward: ['HAS_EFFECTIVE_PERMISSION'], backward: [] },
  effective_into_count: { forward: ['HAS_EFFECTIVE_PERMISSION'], backward: [] },
  find_by_key: { forward: [], backward: [] },
  find_by_name: { forward: [], backward: [] },
  find_by_native: { forward: [], backward: [] },
  grant_steps: { forward: FORWARD_GRANT_EDGES, backward: REVERSE_GRANT_EDGES },
  list_nodes: { forward: [], backward: [] },
  names: { forward: [], backward: [] },
  safe_memberships: { forward: ['SAFE_MEMBER'], backward: [] },
  sync_runs: { forward: [], backward: [] },
};

/** The relationship patterns of a query, by direction: `(a)-[r:A|B]->(b)` and `(a)<-[r:A|B]-(b)`. */
function traversedKinds(cypher: string): { forward: Set<string>; backward: Set<string>; untyped: number } {
  const text = cypher.replace(/\/\/.*$/gm, '');
  const forward = new Set<string>();
  const backward = new Set<string>();
  let untyped = 0;
  for (const m of text.matchAll(/(<?)-\[([^\]]*)\]-(>?)/g)) {
    const [, left, inner, right] = m;
    const types = /:\s*([A-Za-z_|\s`]+)/.exec(inner ?? '');
    if (!types) {
      untyped++;
      continue;
    }
    const kinds = types[1]!.split('|').map((t) => t.replace(/[`\s]/g, ''));
    const into = left === '<' && right !== '>' ? backward : forward;
    for (const k of kinds) into.add(k);
  }
  return { forward, backward, untyped };
}

const sorted = (kinds: Iterable<string>) => [...new Set(kinds)].sort();

describe('cypher/ files traverse exactly the edge kinds src/graph/traversal.ts declares', () => {
  const files = readdirSync(CYPHER_DIR)
    .filter((f) => f.endsWith('.cypher'))
    .map((f) => f.slice(0, -'.cypher'.length));

  it('every .cypher file is declared here (a new query names what it traverses)', () => {
    expect(sorted(files)).toEqual(sorted(Object.keys(DECLARED)));
  });

  for (const name of files) {
    it(name, () => {
      const found = traversedKinds(readFileSync(path.join(CYPHER_DIR, `${name}.cypher`), 'utf8'));
      const declared = DECLARED[name];
      expect(declared, `${name}.cypher is not declared in this test`).toBeDefined();
      expect(found.untyped, 'a relationship pattern without a type follows every edge kind').toBe(0);
      expect({ forward: sorted(found.forward), backward: sorted(found.backward) }).toEqual({
        forward: sorted(declared!.forward),
        backward: sorted(declared!.backward),
      });
      for (const k of [...found.forward, ...found.backward]) expect(EDGE_KINDS).toContain(k);
    });
  }

  it('the parser sees directions, alternatives and untyped patterns', () => {
    const found = traversedKinds(
      'MATCH (a)-[r:HAS_ROLE|MEMBER_OF]->(b)<-[:IS_GROUP]-(c) MATCH (a)-[x]-(d) // (a)-[:CONTAINS]->(z)',
    );
    expect(sorted(found.forward)).toEqual(['HAS_ROLE', 'MEMBER_OF']);
    expect(sorted(found.backward)).toEqual(['IS_GROUP']);
    expect(found.untyped).toBe(1);
  });
});
