/**
 * Name material for the tenant generator: people, departments, safes, roles, groups and applications, deliberately
 * including spaces, commas, parentheses, accents, apostrophes and characters that need URL encoding or DN escaping.
 */

export const FIRST_NAMES = [
  'James',
  'Mary',
  'Zoë',
  'José',
  'Søren',
  'François',
  'Anaïs',
  'Björn',
  'Chloé',
  'Renée',
  'Jürgen',
  'Łukasz',
  'Siobhán',
  'Mónica',
  'Ingrid',
  'Rahul',
  'Wei',
  'Aiko',
  'Olu',
  'Fatima',
  'Dmitri',
  'Noël',
  'Héctor',
  'Åsa',
  'Mateo',
  'Priya',
  'Kwame',
  'Ana',
  'Luca',
  'Emma',
  'Noah',
  'Liam',
  'Olivia',
  'Sophia',
  'Jean-Luc',
  'Mary-Kate',
  'Seán',
  'Thanh',
  'Yusuf',
  'Ines',
  'Kai',
  'Lena',
  'Marta',
  'Nikolaj',
  'Oscar',
  'Paula',
  'Quentin',
  'Rosa',
  'Sven',
  'Tomás',
  'Ulla',
  'Víctor',
  'Wanda',
  'Xavier',
  'Yara',
  'Zeynep',
  'Amélie',
  'Benoît',
  'Céline',
  'Dörte',
  'Elif',
  'Gaëlle',
  'Hannah',
  'Ivan',
  'Joaquín',
  'Karin',
  'Laszlo',
  'Magnús',
  'Nadia',
  'Ömer',
  'Pierre',
  'Raphaël',
  'Sinéad',
  'Tiago',
];

export const LAST_NAMES = [
  'Smith',
  "O'Brien",
  "D'Angelo",
  'Müller',
  'Núñez',
  'Ødegaard',
  'García',
  'Lefèvre',
  'Nguyen',
  'Kowalski',
  'van der Berg',
  'Schröder',
  'Johansson',
  'Brontë',
  'Dubois',
  'Østergaard',
  'Çelik',
  'Yılmaz',
  'Smith-Jones',
  'Da Silva',
  'Łukaszewicz',
  'Doe',
  'Jensen',
  'Kim',
  'Patel',
  'Okafor',
  'Rossi',
  'Novák',
  'Hernández',
  'Ivanova',
  'Tanaka',
  'Brown',
  'Wilson',
  'Taylor',
  'Andersson',
  'Bauer',
  'Costa',
  'Dupont',
  'Eriksen',
  'Fischer',
  'Gómez',
  'Horváth',
  'Iglesias',
  'Jovanović',
  'Keller',
  'Larsen',
  'Moreau',
  'Nieminen',
  'Olsen',
  'Petrović',
  'Quinn',
  'Richter',
  'Sánchez',
  'Thompson',
  'Urbański',
  'Vasquez',
  'Weiß',
  'Xu',
  'Young',
  'Zimmermann',
  "N'Diaye",
  'MacDonald',
  'Saint-Exupéry',
  'Ó Súilleabháin',
  'Le Blanc',
  'Fernández',
  'Grønlund',
  'Håkansson',
  'Ibáñez',
];

/** OUs under the AD user container; some need RFC 4514 escaping. */
export const AD_USER_OUS = ['Users', 'IT', 'Finance & Legal', 'Sales, EMEA', 'R+D', 'Zürich', 'Contractors'];

/** Departments used in group, role and safe names. */
export const DEPARTMENTS = [
  'Finance',
  'HR',
  'IT',
  'Ops',
  'Sales',
  'Legal',
  'R&D',
  'Marketing',
  'Security',
  'Network',
  'DBA',
  'Unix',
  'Windows',
  'Cloud',
  'Payroll',
  'Treasury',
  'Audit',
  'Support',
  'Facilities',
  'Logistics',
  'Procurement',
  'Compliance',
  'DevOps',
  'QA',
  'Data',
  'Trading',
  'Risk',
  'Helpdesk',
  'Identity',
  'Backup',
  'Storage',
  'Citrix',
  'SAP',
  'Mainframe',
];

export const LOCATIONS = [
  'Zürich',
  'München',
  'Malmö',
  'Québec',
  'São Paulo',
  'København',
  'Kraków',
  'Genève',
  'Reykjavík',
  'Düsseldorf',
  'London',
  'Paris',
  'New York',
  'Tokyo',
  'Sydney',
  'Toronto',
  'Dublin',
  'Madrid',
  'Milano',
  'Oslo',
];

export const GROUP_PREFIXES = ['GG', 'SG', 'DL', 'APP', 'PAM', 'ROL', 'ACL'];
export const GROUP_SUFFIXES = ['Admins', 'Users', 'Readers', 'Approvers', 'Owners', 'Operators', 'Engineers'];

/** Fixed directory group names that every tenant gets (the special characters are the point). */
export const SPECIAL_AD_GROUPS = [
  'PAM-Admins',
  'Finance & Legal',
  'R&D Admins #2',
  'Ops (Tier 0)',
  'Zürich Admins',
  'C++ Devs',
  'Sales, EMEA',
];
export const SPECIAL_FDS_GROUPS = ['SG-Entra PAM Admins', 'Équipe Sécurité (Entra)', 'Cloud Ops + SRE'];

export const ROLE_FUNCTIONS = [
  'Admins',
  'Approvers',
  'Auditors',
  'Operators',
  'Readers',
  'Engineers',
  'On-Call',
  'Owners',
  'Break Glass',
  'Contractors',
  'Managers',
  'Developers',
];

/** Generic role names that every tenant gets; some need URL encoding. */
export const SPECIAL_ROLES = [
  'Finance & Legal Approvers',
  'C# Developers',
  'Unix+Linux Admins',
  'DBA (Oracle), Zürich',
  "L'équipe Cloud",
  'Q&A / Test',
  'Audit 100% Review',
  'Ops, EMEA',
  'Zürich Ops',
  'Réseau & Sécurité',
  "Søren's Team",
  'Helpdesk',
  'Tier 0 Admins',
];

export const SAFE_PLATFORMS = [
  'Linux',
  'Windows',
  'Oracle',
  'MSSQL',
  'AWS',
  'Azure',
  'SAP',
  'Cisco',
  'Unix',
  'DB2',
  'Postgres',
  'K8s',
  'VMware',
  'F5',
  'Juniper',
  'MySQL',
  'GCP',
  'Citrix',
  'AD',
];
export const SAFE_ENVS = ['Prod', 'Dev', 'QA', 'UAT', 'DR', 'Test', 'PreProd'];
export const SAFE_TEAMS = [
  'Finance & Legal',
  'R+D',
  'Zürich',
  'Ops #1',
  "L'Oréal",
  'Sales, EMEA',
  'Québec',
  'Malmö',
  'Ops (Tier 0)',
  'HR',
  'Payroll',
  'Treasury',
  'Støtte',
  'Núcleo',
  'Müller & Co',
  'Backup',
  'Network',
  'DBA',
  'Security',
  'Trading',
  'Risk',
  'Citrix',
  'Helpdesk',
  'Data',
  'DevOps',
  'Cloud',
  'Storage',
];

/** Safe names that every tenant gets (at most 28 characters; spaces, commas, parentheses, accents, & # + '). */
export const SPECIAL_SAFES = [
  'Linux Prod',
  'Finance & Legal',
  'R+D #1 (Prod)',
  'Zürich Ops',
  "L'Oréal, Paris",
  'Ventes (Québec)',
  "Søren's DBA Safe",
  'C++ Build #42',
  'Ops & Support, EMEA',
  'Windows DC (Tier 0)',
];

/** Vault system safes every tenant has (they hold no ordinary memberships or accounts). */
export const SYSTEM_SAFES = ['VaultInternal', 'Notification Engine', 'PasswordManager_Pending', 'PVWAConfig'];

export const APP_NAMES = [
  'Salesforce',
  'ServiceNow',
  'Workday',
  'AWS Console (Prod)',
  'Azure Portal',
  'GitHub Enterprise',
  'Jira & Confluence',
  'Zoom',
  'Slack',
  'SAP Fiori',
  'Box',
  'Dropbox',
  'Tableau',
  'Splunk',
  'PagerDuty',
  'Café Booking',
  'Intranet — Zürich',
  'Coupa',
  'Concur',
  'DocuSign',
  'Zendesk',
  'HubSpot',
  'Okta Bookmark',
  'Grafana',
  'Datadog',
];
export const APP_CATEGORIES = ['Collaboration', 'IT Services', 'Cloud Services', 'Human Resources', 'Finance', 'Other'];

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
