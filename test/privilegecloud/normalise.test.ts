/**
 * Member identifiers, types, permission flags and timestamps as different versions send them (issue 14, item 6):
 * normalised where the meaning is certain, and every unexpected value reported in the sync warnings with a raw copy.
 */
import { describe, expect, it } from 'vitest';
import { epochToIso, epochUnitOf } from '../../src/sources/privilegecloud/normalise.js';
import { membersPage, safesPage } from '../../src/sources/privilegecloud/schemas.js';
import { IdentityLookup, transformPrivilegeCloud } from '../../src/sources/privilegecloud/transform.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');

function vault(members: unknown[], safe: Record<string, unknown> = {}) {
  return transformPrivilegeCloud(
    {
      pcloudUrl: 'https://acme.privilegecloud.cyberark.cloud',
      deployment: 'privilegecloud',
      safes: safesPage.parse({ value: [{ safeName: 'Linux Prod', safeUrlId: 'Linux%20Prod', ...safe }] }).value,
      members: { 'Linux Prod': membersPage.parse({ value: members }).value },
      accounts: [],
      userGroups: [],
    },
    new IdentityLookup([]),
    NOW,
  );
}

const member = (extra: Record<string, unknown>) => ({
  memberName: 'bob',
  memberType: 'User',
  permissions: { listAccounts: true },
  ...extra,
});

describe('timestamps', () => {
  it('the unit follows from the magnitude', () => {
    expect(epochUnitOf(1761318812)).toBe('s');
    expect(epochUnitOf(1761318812123)).toBe('ms');
    expect(epochUnitOf(1783472403842466)).toBe('us');
    expect(epochUnitOf(1783472403842466000)).toBe('ns');
  });

  it('creationTime in seconds and lastModificationTime in microseconds, as documented, warn nothing', () => {
    const out = vault([], { creationTime: 1761318812, lastModificationTime: 1783472403842466 });
    const safe = out.nodes.find((n) => n.kind === 'Safe')!;
    expect(safe.props.creation_time).toBe('2025-10-24T15:13:32.000Z');
    expect(safe.props.last_modification_time).toBe('2026-07-08T01:00:03.842Z');
    expect(out.warnings).toEqual([]);
  });

  it('a lastModificationTime in seconds is read as seconds and reported with its raw value', () => {
    const out = vault([], { lastModificationTime: 1783472403, creationTime: '1761318812' });
    const safe = out.nodes.find((n) => n.kind === 'Safe')!;
    expect(safe.props.last_modification_time).toBe('2026-07-08T01:00:03.000Z');
    expect(safe.props.creation_time).toBe('2025-10-24T15:13:32.000Z'); // a numeric string, as older docs show
    expect(out.warnings).toEqual([
      'safe "Linux Prod" lastModificationTime: 1783472403 is epoch s, not us as documented; read as s',
    ]);
  });

  it('a membership expiration in milliseconds still expires the membership at the right time', () => {
    const past = vault([member({ membershipExpirationDate: NOW - 86_400_000 })]);
    expect(past.edges.find((e) => e.kind === 'SAFE_MEMBER')!.props.is_expired).toBe(true);
    expect(past.warnings[0]).toMatch(/membershipExpirationDate: \d+ is epoch ms, not s as documented/);
    const future = vault([member({ membershipExpirationDate: Math.floor(NOW / 1000) + 86_400 })]);
    expect(future.edges.find((e) => e.kind === 'SAFE_MEMBER')!.props.is_expired).toBe(false);
  });

  it('epochToIso leaves null and non-finite values empty', () => {
    expect(epochToIso(null, 's', 'x')).toBeNull();
    expect(epochToIso(Number.NaN, 's', 'x')).toBeNull();
  });
});

describe('member ids, types and permissions', () => {
  it('a numeric memberId and a string one are the same vault principal id', () => {
    const a = vault([member({ memberId: 93 })]);
    const b = vault([member({ memberId: '93' })]);
    const id = (o: typeof a) => o.edges.find((e) => e.kind === 'SAFE_MEMBER')!.props.member_id;
    expect(id(a)).toBe('93');
    expect(id(b)).toBe('93');
    expect(a.warnings).toEqual([]);
  });

  it('a memberType that is none of User, Group, Role is resolved as a group and reported with the raw member', () => {
    const out = vault([member({ memberType: 'Component', memberId: 7 })]);
    const edge = out.edges.find((e) => e.kind === 'SAFE_MEMBER')!;
    expect(edge.from.kind).toBe('VaultGroup');
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toContain('memberType "Component" is not User, Group or Role');
    expect(out.warnings[0]).toContain('"memberId":"7"');
  });

  it('unknown permission keys and non-boolean values are reported; text "true" counts, anything else does not', () => {
    const out = vault([
      member({
        permissions: { retrieveAccounts: 'true', useAccounts: 1, listAccounts: true, viewPasswords: true },
      }),
    ]);
    expect(out.edges.find((e) => e.kind === 'SAFE_MEMBER')!.props.permissions).toEqual([
      'retrieveAccounts',
      'listAccounts',
    ]);
    expect(out.warnings).toEqual([
      'safe "Linux Prod" member "bob": permission retrieveAccounts = "true" is not a boolean; read as true',
      'safe "Linux Prod" member "bob": permission useAccounts = 1 is not a boolean; not granted',
      'safe "Linux Prod" member "bob": permission "viewPasswords" = true is none of the 22; ignored',
    ]);
  });

  it('a quirk repeated across the tenant is reported a few times, then counted', () => {
    const out = vault(Array.from({ length: 9 }, (_, i) => member({ memberName: `m${i}`, memberType: 'Robot' })));
    expect(out.warnings).toHaveLength(6);
    expect(out.warnings.at(-1)).toBe('member type: 4 more like the above');
  });
});
