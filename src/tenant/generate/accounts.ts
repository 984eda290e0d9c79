/**
 * Accounts, spread unevenly over the normal safes: platforms weighted like a real estate (Windows domain and local,
 * Unix, keys, databases, cloud, network devices, platform-less), CPM-managed or manual, with failed CPM operations.
 */
import type { Account, Safe } from '../format/index.js';
import { AD_FOREST, type Ctx, EPOCH_S } from './context.js';
import { SYSTEM_SAFES } from './names.js';
import { distribute, flat, Rng, Weighted } from './rng.js';

interface PlatformSpec {
  readonly platformId: string;
  readonly category: string;
  readonly secretType: 'password' | 'key';
  readonly address: (tag: string, k: number) => string | undefined;
  readonly userNames: readonly string[];
}

const PLATFORMS = new Weighted<PlatformSpec>([
  [
    {
      platformId: 'WinDomain',
      category: 'Operating System',
      secretType: 'password',
      address: () => AD_FOREST,
      userNames: ['svc_backup', 'svc_sql', 'adm-', 'svc_sccm', 'svc_iis'],
    },
    25,
  ],
  [
    {
      platformId: 'WinServerLocal',
      category: 'Operating System',
      secretType: 'password',
      address: (tag) => `WIN-${tag.toUpperCase()}.${AD_FOREST}`,
      userNames: ['Administrator', 'localadmin'],
    },
    20,
  ],
  [
    {
      platformId: 'UnixSSH',
      category: 'Operating System',
      secretType: 'password',
      address: (tag) => `lnx-${tag}.${AD_FOREST}`,
      userNames: ['root', 'oracle', 'app'],
    },
    20,
  ],
  [
    {
      platformId: 'UnixSSHKeys',
      category: 'Operating System',
      secretType: 'key',
      address: (tag) => `lnx-${tag}.${AD_FOREST}`,
      userNames: ['ansible', 'deploy', 'root'],
    },
    8,
  ],
  [
    {
      platformId: 'Oracle',
      category: 'Database',
      secretType: 'password',
      address: (tag) => `ora-${tag}.${AD_FOREST}`,
      userNames: ['SYSTEM', 'SYS', 'APP_OWNER'],
    },
    7,
  ],
  [
    {
      platformId: 'MSSql',
      category: 'Database',
      secretType: 'password',
      address: (tag) => `sql-${tag}.${AD_FOREST}`,
      userNames: ['sa', 'sqladmin'],
    },
    7,
  ],
  [
    {
      platformId: 'AWSAccessKeys',
      category: 'Cloud Service',
      secretType: 'password',
      address: () => 'aws.amazon.com',
      userNames: ['iam-deploy-', 'iam-backup-'],
    },
    5,
  ],
  [
    {
      platformId: 'CiscoSSH',
      category: 'Network Device',
      secretType: 'password',
      address: (_tag, k) => `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`,
      userNames: ['admin', 'enable'],
    },
    5,
  ],
  [
    {
      platformId: '',
      category: 'Application',
      secretType: 'password',
      address: () => undefined,
      userNames: ['app-secret-', 'api-token-'],
    },
    3,
  ],
]);

export function generateAccounts(ctx: Ctx, safes: Safe[]): Account[] {
  const rng = Rng.stream(ctx.seed, 'accounts');
  const normal = safes.slice(SYSTEM_SAFES.length);
  const caps = normal.map(() => ctx.spec.accounts);
  const counts = distribute(rng, ctx.spec.accounts, caps, () => 0.05 + rng.float() ** 3, 0);
  const accounts: Account[] = new Array(ctx.spec.accounts);
  let k = 0;
  normal.forEach((safe, s) => {
    let n = 0;
    for (let c = counts[s]!; c > 0; c--) {
      n += rng.chance(0.05) ? 2 : 1;
      const tag = k.toString(36).padStart(5, '0');
      const p = PLATFORMS.sample(rng);
      const rawAddress = p.address(tag, k);
      const address = rawAddress === undefined ? undefined : flat(rawAddress);
      let userName = rng.pick(p.userNames);
      if (userName.endsWith('-') || userName.endsWith('_') || p.platformId === 'WinDomain')
        userName = flat(userName + tag);
      const created = safe.creationTime + rng.int(EPOCH_S - safe.creationTime);
      // Properties are assigned in the schema's order, so that parseTenant() output serialises identically.
      const account = {
        id: flat(`${safe.safeNumber}_${n}`),
        name: flat(`${p.category}-${p.platformId || 'Generic'}-${address ?? 'none'}-${userName}`),
        safeName: safe.name,
        platformId: p.platformId,
      } as Account;
      if (address !== undefined) account.address = address;
      account.userName = userName;
      account.secretType = p.secretType;
      const r = rng.float();
      const manual = p.platformId === '' || r < 0.04;
      account.automaticManagementEnabled = !manual;
      if (manual) {
        account.manualManagementReason = p.platformId === '' ? 'No CPM for this platform' : 'Manual';
        account.createdTime = created;
      } else {
        if (r < 0.08) {
          // A failed CPM operation; half of these stopped automatic management.
          if (rng.chance(0.5)) {
            account.automaticManagementEnabled = false;
            account.manualManagementReason = '(CPM)MaxRetries';
          }
          account.status = 'failure';
        } else account.status = 'success';
        account.createdTime = created;
        const modified = created + rng.int(EPOCH_S - created + 1);
        account.lastModifiedTime = modified;
        if (rng.chance(0.8)) account.lastVerifiedTime = modified + rng.int(EPOCH_S - modified + 1);
        if (rng.chance(0.5)) account.lastReconciledTime = modified;
      }
      if (rng.chance(0.05)) {
        account.remoteMachines = flat(`srv-${tag}a.${AD_FOREST};srv-${tag}b.${AD_FOREST}`);
      }
      accounts[k++] = account;
    }
  });
  // Guarantee a failed CPM status and a key even in a small tenant.
  if (!accounts.some((a) => a.status === 'failure')) {
    const a = accounts.find((x) => x.status === 'success') ?? accounts[0]!;
    a.status = 'failure';
    a.automaticManagementEnabled = false;
    a.manualManagementReason = '(CPM)MaxRetries';
  }
  if (!accounts.some((a) => a.secretType === 'key')) accounts[accounts.length - 1]!.secretType = 'key';
  return accounts;
}
