/** Directory groups: AdProxy groups (with DNs) and FDS groups (with external ids); the CDS has none. */
import type { IdentityGroup } from '../format/index.js';
import { AD_FOREST, type Ctx } from './context.js';
import {
  DEPARTMENTS,
  GROUP_PREFIXES,
  GROUP_SUFFIXES,
  LOCATIONS,
  SPECIAL_AD_GROUPS,
  SPECIAL_FDS_GROUPS,
} from './names.js';
import { dnOf, NameRegistry } from './naming.js';
import { Rng } from './rng.js';

export function generateGroups(ctx: Ctx): void {
  const rng = Rng.stream(ctx.seed, 'groups');
  const bases = new NameRegistry();
  const add = (kind: 'AD' | 'FDS', base: string) => {
    const cn = bases.unique(base);
    const id = rng.guid();
    let group: IdentityGroup;
    if (kind === 'AD') {
      const name = ctx.principals.unique(`${cn}@${AD_FOREST}`, (b, n) => b.replace('@', ` ${n}@`));
      group = {
        id,
        name,
        displayName: cn,
        directoryServiceUuid: ctx.dirs.AD.uuid,
        distinguishedName: dnOf(cn, ['Groups'], AD_FOREST),
      };
    } else {
      const name = ctx.principals.unique(cn);
      group = { id, name, displayName: name, directoryServiceUuid: ctx.dirs.FDS.uuid, externalUuid: rng.guid() };
    }
    if (rng.chance(0.3)) group.description = `${group.displayName} (managed by IAM)`;
    ctx.groups.push(group);
    ctx.groupKind.push(kind);
  };
  const special: ['AD' | 'FDS', string][] = [];
  for (let i = 0; i < Math.max(SPECIAL_AD_GROUPS.length, SPECIAL_FDS_GROUPS.length); i++) {
    if (i < SPECIAL_AD_GROUPS.length) special.push(['AD', SPECIAL_AD_GROUPS[i]!]);
    if (i < SPECIAL_FDS_GROUPS.length) special.push(['FDS', SPECIAL_FDS_GROUPS[i]!]);
  }
  for (const [kind, base] of special) {
    if (ctx.groups.length >= ctx.spec.groups) break;
    add(kind, base);
  }
  while (ctx.groups.length < ctx.spec.groups) {
    const kind = rng.chance(0.7) ? 'AD' : 'FDS';
    const dept = rng.pick(DEPARTMENTS);
    const suffix = rng.pick(GROUP_SUFFIXES);
    let base: string;
    if (kind === 'AD') {
      base = rng.chance(0.3)
        ? `${rng.pick(GROUP_PREFIXES)}-${rng.pick(LOCATIONS)}-${dept}-${suffix}`
        : `${rng.pick(GROUP_PREFIXES)}-${dept}-${suffix}`;
    } else {
      base = rng.chance(0.3) ? `SG ${rng.pick(LOCATIONS)} ${dept} ${suffix}` : `SG ${dept} ${suffix}`;
    }
    add(kind, base);
  }
}
