/**
 * Turning names into logins and distinguished names, and keeping them unique: ASCII folding, login local parts,
 * RFC 4514 DN escaping, and the two registries that hand out `base`, `base 2`, `base 3` …
 */

/** Accents and other letters folded to ASCII for login names. */
const FOLD: Record<string, string> = { ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', ß: 'ss', æ: 'ae', Æ: 'AE', ı: 'i', đ: 'd' };

export function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØłŁßæÆıđ]/g, (c) => FOLD[c] ?? c);
}

/** Login local part from a person name: `jean-luc.o'brien`. */
export function loginPart(first: string, last: string): string {
  const clean = (s: string) =>
    asciiFold(s)
      .toLowerCase()
      .replace(/[^a-z0-9'-]+/g, '');
  return `${clean(first)}.${clean(last)}`;
}

/** Escapes an attribute value for a distinguished name (RFC 4514 §2.4). */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;]/g, (c) => `\\${c}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

export function dnOf(cn: string, ous: readonly string[], domain: string): string {
  const dc = domain
    .split('.')
    .map((p) => `DC=${p}`)
    .join(',');
  return [`CN=${escapeDnValue(cn)}`, ...ous.map((ou) => `OU=${escapeDnValue(ou)}`), dc].join(',');
}

/** Case-insensitive name registry: hands out a unique variant (`base`, `base 2`, `base 3` …). */
export class NameRegistry {
  private readonly taken = new Set<string>();
  private readonly next = new Map<string, number>();

  has(name: string): boolean {
    return this.taken.has(name.toLowerCase());
  }

  /** Claims `name` if free; returns false if taken. */
  claim(name: string): boolean {
    const key = name.toLowerCase();
    if (this.taken.has(key)) return false;
    this.taken.add(key);
    return true;
  }

  /**
   * Claims `base` or the first free `variant(base, n)` for n = 2, 3, …; `variant` defaults to `base n`. The counter
   * per base keeps this O(1) amortised even for 100,000 names drawn from a few thousand bases.
   */
  unique(base: string, variant: (base: string, n: number) => string = (b, n) => `${b} ${n}`): string {
    if (this.claim(base)) return base;
    const key = base.toLowerCase();
    let n = this.next.get(key) ?? 2;
    for (;;) {
      const candidate = variant(base, n);
      n++;
      if (this.claim(candidate)) {
        this.next.set(key, n);
        return candidate;
      }
    }
  }
}

/**
 * A cheaper registry for names built from fixed, consistently cased parts (logins, AD CNs): keyed by the exact base,
 * it hands out `base`, then `variant(base, 2)`, `variant(base, 3)` … The caller guarantees that variants cannot
 * collide with another base (e.g. bases never end in a digit) and that bases differing only in case cannot occur.
 */
export class CountingNames {
  private readonly count = new Map<string, number>();

  next(base: string, variant: (base: string, n: number) => string): string {
    const n = (this.count.get(base) ?? 0) + 1;
    this.count.set(base, n);
    return n === 1 ? base : variant(base, n);
  }
}
