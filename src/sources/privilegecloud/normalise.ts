/**
 * Privilege Cloud values whose form varies between versions and fields (CyberArk docs, a recorded session:
 * `creationTime` in epoch seconds, `lastModificationTime` in epoch microseconds, some versions in other units;
 * `memberType` User, Group or Role; permission flags), brought to one form. What does not have the documented form
 * is normalised where its meaning is certain and reported in the sync warnings with a raw copy of the value, so
 * nothing unexpected passes in silence.
 */
import { SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../../graph/permissions.js';

export type EpochUnit = 's' | 'ms' | 'us' | 'ns';

/**
 * The unit of an epoch timestamp from its magnitude: no instant between 1973 and 5138 is ambiguous (seconds below
 * 10^11, milliseconds below 10^14, microseconds below 10^17).
 */
export function epochUnitOf(value: number): EpochUnit {
  const v = Math.abs(value);
  if (v < 1e11) return 's';
  if (v < 1e14) return 'ms';
  if (v < 1e17) return 'us';
  return 'ns';
}

const PER_MS: Record<EpochUnit, number> = { s: 1e-3, ms: 1, us: 1e3, ns: 1e6 };

/** Epoch milliseconds of a timestamp in whatever unit its magnitude says. */
export function epochMs(value: number): number {
  return Math.floor(value / PER_MS[epochUnitOf(value)]);
}

/** Collects the sync warnings of one transform, a bounded number per kind so a tenant-wide quirk stays readable. */
export class Anomalies {
  private readonly byKind = new Map<string, { shown: string[]; count: number }>();
  constructor(private readonly perKind = 5) {}

  add(kind: string, detail: string): void {
    const entry = this.byKind.get(kind) ?? { shown: [], count: 0 };
    entry.count++;
    if (entry.shown.length < this.perKind) entry.shown.push(detail);
    this.byKind.set(kind, entry);
  }

  /** One warning per detail shown, then one line per kind with how many more there were. */
  warnings(): string[] {
    const out: string[] = [];
    for (const [kind, { shown, count }] of this.byKind) {
      out.push(...shown);
      if (count > shown.length) out.push(`${kind}: ${count - shown.length} more like the above`);
    }
    return out;
  }
}

/** A raw value as it came, for a warning (bounded). */
export function raw(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * An epoch timestamp in the unit documented for its field → ISO 8601. A value whose magnitude says another unit is
 * read in that unit and reported.
 */
export function epochToIso(
  value: number | null | undefined,
  documented: EpochUnit,
  where: string,
  anomalies?: Anomalies,
): string | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const unit = epochUnitOf(value);
  if (unit !== documented) {
    anomalies?.add(
      'timestamp unit',
      `${where}: ${raw(value)} is epoch ${unit}, not ${documented} as documented; read as ${unit}`,
    );
  }
  const d = new Date(epochMs(value));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const MEMBER_TYPES = new Set(['user', 'group', 'role']);
const KNOWN_PERMISSIONS = new Set<string>(SAFE_PERMISSION_KEYS);
const KNOWN_PERMISSIONS_LOWER = new Map(SAFE_PERMISSION_KEYS.map((k) => [k.toLowerCase(), k]));

/** Whether a memberType is one the API documents (User, Group, Role; any case). */
export function knownMemberType(type: string): boolean {
  return MEMBER_TYPES.has(type.toLowerCase());
}

/**
 * The permissions a member's flags grant. A key that differs from one of the 22 only in case counts as that
 * permission; a key that is none of them, or a value that is not a boolean, is reported and grants nothing.
 */
export function grantedPermissions(
  flags: Readonly<Record<string, unknown>>,
  where: string,
  anomalies: Anomalies,
): SafePermissionKey[] {
  const granted = new Set<SafePermissionKey>();
  for (const [key, value] of Object.entries(flags)) {
    const known = KNOWN_PERMISSIONS.has(key)
      ? (key as SafePermissionKey)
      : KNOWN_PERMISSIONS_LOWER.get(key.toLowerCase());
    if (!known) {
      anomalies.add(
        'unknown permission',
        `${where}: permission ${raw(key)} = ${raw(value)} is none of the 22; ignored`,
      );
      continue;
    }
    if (typeof value === 'boolean') {
      if (value) granted.add(known);
      continue;
    }
    // "true" / "false" as text: the meaning is certain, the form is not the documented one.
    const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
    const read = text === 'true' ? true : text === 'false' ? false : undefined;
    anomalies.add(
      'permission value',
      `${where}: permission ${known} = ${raw(value)} is not a boolean; ${read === undefined ? 'not granted' : `read as ${read}`}`,
    );
    if (read) granted.add(known);
  }
  return SAFE_PERMISSION_KEYS.filter((k) => granted.has(k));
}
