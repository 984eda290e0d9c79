/** Reads the effective section of a snapshot (the "E…" lines, snapshot.ts) into an EffectiveSet's columns. */
import { IntColumn } from '../../effective/columns.js';
import type { EffectiveSection } from './snapshot.js';

/** The section's header: its sync and how many of each part it holds. */
export interface EffectiveMeta {
  syncId: string;
  nodes: number;
  fragments: number;
  chains: number;
  paths: number;
  lists: number;
  edges: number;
}

/** Accumulates the "E…" lines of a snapshot into an EffectiveSet's columns. */
export class EffectiveReader {
  readonly keys: string[] = [];
  private readonly own: number[] = [];
  private readonly fragments: string[] = [];
  private readonly chainPrefix = IntColumn.int32();
  private readonly chainFragment = IntColumn.int32();
  private readonly chainDynamic = IntColumn.int32();
  private readonly pathChain = IntColumn.int32();
  private readonly pathLast = IntColumn.int32();
  private readonly permissionLists: string[][] = [];
  /** Each permission name once, shared by every list (a parsed line holds a copy each). */
  private readonly names = new Map<string, string>();
  private readonly principal = IntColumn.int32();
  private readonly resource = IntColumn.int32();
  private readonly permissionList = IntColumn.int32();
  private readonly pathCount = IntColumn.int32();
  private readonly expiredCount = IntColumn.int32();
  private readonly dynamic = IntColumn.int32();
  private readonly pathStart = IntColumn.int32();
  private readonly pathRefs = IntColumn.int32();
  readonly expected: EffectiveMeta;

  constructor(meta: unknown) {
    const m = meta as Record<string, unknown>;
    const counts = ['nodes', 'fragments', 'chains', 'paths', 'lists', 'edges'];
    if (typeof m?.syncId !== 'string' || !counts.every((k) => Number.isSafeInteger(m[k]) && (m[k] as number) >= 0)) {
      throw new Error('an effective-permission header of the wrong shape');
    }
    this.expected = m as unknown as EffectiveMeta;
  }

  line(tag: string, items: unknown): void {
    if (!Array.isArray(items)) throw new Error(`a ${tag} line without its list`);
    switch (tag) {
      case 'Ek':
        for (let i = 0; i < items.length; i += 2) {
          if (typeof items[i] !== 'string') throw new Error('a node key that is not a string');
          this.keys.push(items[i] as string);
          this.own.push(items[i + 1] as number);
        }
        return;
      case 'Ef':
        for (const f of items) this.fragments.push(f as string);
        return;
      case 'El':
        for (const list of items) this.permissionLists.push(this.intern(list));
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

  private intern(list: unknown): string[] {
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
      throw new Error('a permission list that is not a list of names');
    }
    const names = list as string[];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const known = this.names.get(name);
      if (known === undefined) this.names.set(name, name);
      else names[i] = known;
    }
    return names;
  }

  finish(): EffectiveSection {
    const e = this.expected;
    if (
      this.keys.length !== e.nodes ||
      this.fragments.length !== e.fragments ||
      this.chainPrefix.length !== e.chains ||
      this.pathChain.length !== e.paths ||
      this.permissionLists.length !== e.lists ||
      this.principal.length !== e.edges
    ) {
      throw new Error('the effective-permission section is incomplete');
    }
    // An edge's ends and permission list are indexes: one out of range would fail (or answer nothing) at query time.
    for (let i = 0; i < this.principal.length; i++) {
      const p = this.principal.get(i);
      const r = this.resource.get(i);
      const l = this.permissionList.get(i);
      if (p < 0 || p >= e.nodes || r < 0 || r >= e.nodes || l < 0 || l >= e.lists) {
        throw new Error(`computed edge ${i} refers to a node or permission list the section does not hold`);
      }
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
