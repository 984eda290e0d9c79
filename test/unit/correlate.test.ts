/** Correlation rules on hand-built rows: each outcome is evident from the data. */
import { describe, expect, it } from 'vitest';
import { correlate } from '../../src/correlation/correlate.js';
import type { GraphNode, NodeKind } from '../../src/graph/schema.js';

const node = (kind: NodeKind, nativeId: string, props: GraphNode['props'], tenantId = 'T'): GraphNode => ({
  kind,
  id: `${tenantId}:${nativeId}`,
  nativeId,
  tenantId,
  source: kind.startsWith('Entra') ? 'entra' : kind.startsWith('AD') ? 'activedirectory' : 'identity',
  props,
});

function identity(services: string[]) {
  return [
    node('IdentityTenant', 'T', {
      directory_services: JSON.stringify(services.map((service) => ({ service, uuid: service }))),
    }),
    node('CyberArkUser', 'u1', {
      login_name: 'alice@corp.example',
      email: 'a.smith@corp.example',
      directory_service_type: 'FDS',
    }),
    node('CyberArkUser', 'u2', {
      login_name: 'bob@corp.example',
      directory_service_type: 'AdProxy',
      idp_unique_id: 'CN=Smith\\, Bob,OU=Users,DC=corp,DC=example',
    }),
    node('CyberArkUser', 'u3', {
      login_name: 'carol@corp.example',
      directory_service_type: 'AdProxy',
      idp_unique_id: 'CN=Carol,OU=Users,DC=corp,DC=example',
    }),
    node('CyberArkUser', 'u4', {
      login_name: 'carol2@corp.example',
      directory_service_type: 'AdProxy',
      idp_unique_id: 'cn=carol, ou=users, dc=corp, dc=example',
    }),
    node('CyberArkGroup', 'g1', {
      name: 'PAM',
      directory_service_type: 'FDS',
      idp_unique_id: '{AAAAAAAA-0000-4000-8000-000000000001}',
    }),
    node('CyberArkGroup', 'g2', {
      name: 'Dup A',
      directory_service_type: 'FDS',
      idp_unique_id: 'bbbbbbbb-0000-4000-8000-000000000002',
    }),
    node('CyberArkGroup', 'g3', {
      name: 'Dup B',
      directory_service_type: 'FDS',
      idp_unique_id: 'BBBBBBBB-0000-4000-8000-000000000002',
    }),
    node('CyberArkGroup', 'g4', {
      name: 'Ops',
      directory_service_type: 'AdProxy',
      idp_unique_id: 'CN=Ops (Tier 0),OU=Groups,DC=corp,DC=example',
    }),
  ];
}

const entraNodes = () => [
  node('EntraUser', 'e1', { user_principal_name: 'Alice@Corp.Example' }, 'E'),
  node('EntraUser', 'e2', { user_principal_name: 'nobody@corp.example', mail: 'A.Smith@corp.example' }, 'E'),
  node('EntraUser', 'e3', { user_principal_name: 'partner_vendor.example#EXT#@corp.onmicrosoft.com' }, 'E'),
  node('EntraGroup', 'aaaaaaaa-0000-4000-8000-000000000001', { display_name: 'PAM' }, 'E'),
  node('EntraGroup', 'bbbbbbbb-0000-4000-8000-000000000002', { display_name: 'Dup' }, 'E'),
];
const adNodes = () => [
  node('ADUser', 'a1', { distinguished_name: 'cn=Smith\\2C Bob, ou=Users,dc=CORP,dc=example' }, 'corp.example'),
  node('ADUser', 'a2', { distinguished_name: 'CN=Carol,OU=Users,DC=corp,DC=example' }, 'corp.example'),
  node('ADGroup', 'ag1', { distinguished_name: 'CN=Ops \\28Tier 0\\29,OU=Groups,DC=corp,DC=example' }, 'corp.example'),
];

describe('correlation', () => {
  it('matches Entra users by UPN case-insensitively and groups by object id (braces and case ignored)', () => {
    const entra = entraNodes();
    const out = correlate({
      identity: { nodes: identity(['CDS', 'FDS', 'AdProxy']) },
      entra: { tenantId: 'E', nodes: entra },
    });
    const edges = out.edges.map((e) => `${e.kind} ${e.from.id} -> ${e.to.id} (${e.props.match_rule})`);
    expect(edges).toContain('ASSUMES_USER E:e1 -> T:u1 (upn)');
    expect(edges).toContain('IS_GROUP E:aaaaaaaa-0000-4000-8000-000000000001 -> T:g1 (object_id)');
    expect(entra[0]!.props.correlation_status).toBe('matched');
    expect(entra[1]!.props.correlation_status).toBe('unmatched');
  });

  it('never creates an edge for a key with several candidates, and records them', () => {
    const entra = entraNodes();
    const out = correlate({ identity: { nodes: identity(['FDS']) }, entra: { tenantId: 'E', nodes: entra } });
    const dup = entra[4]!;
    expect(dup.props.correlation_status).toBe('ambiguous');
    expect(dup.props.correlation_candidates).toEqual(['T:g2', 'T:g3']);
    expect(out.edges.some((e) => e.from.id === dup.id)).toBe(false);
    expect(out.warnings.some((w) => w.includes('ambiguous'))).toBe(true);
  });

  it('matches AD users and groups by normalised DN (hex escapes, case, spaces)', () => {
    const ad = adNodes();
    const out = correlate({
      identity: { nodes: identity(['AdProxy']) },
      activeDirectory: { tenantId: 'corp.example', nodes: ad },
    });
    const edges = out.edges.map((e) => `${e.from.id} -> ${e.to.id}`);
    expect(edges).toContain('corp.example:a1 -> T:u2');
    expect(edges).toContain('corp.example:ag1 -> T:g4');
    // Two CyberArk users claim Carol's DN (written differently): ambiguous, no edge.
    expect(ad[1]!.props.correlation_status).toBe('ambiguous');
    expect(ad[1]!.props.correlation_candidates).toEqual(['T:u3', 'T:u4']);
    expect(edges.some((e) => e.startsWith('corp.example:a2'))).toBe(false);
  });

  it('only correlates directories the CyberArk tenant has configured', () => {
    const ad = adNodes();
    const out = correlate({
      identity: { nodes: identity(['CDS', 'FDS']) },
      activeDirectory: { tenantId: 'corp.example', nodes: ad },
    });
    expect(out.edges).toEqual([]);
    expect(ad.every((n) => n.props.correlation_status === 'not_applicable')).toBe(true);
  });

  it('applies custom rules to what the default rule left unmatched', () => {
    const entra = entraNodes();
    // e2's UPN matches nobody; its mail equals alice's CyberArk e-mail, but alice is already e1's: two directory
    // identities would then claim one CyberArk user through different rules — the custom rule still links e2,
    // because each rule only sees identities still unmatched.
    const out = correlate({
      identity: { nodes: identity(['FDS']) },
      entra: { tenantId: 'E', nodes: entra },
      rules: [{ name: 'mail', directory: 'entra', kind: 'user', directoryProperty: 'mail', cyberarkProperty: 'email' }],
    });
    expect(out.edges.map((e) => `${e.from.id} -> ${e.to.id} (${e.props.match_rule})`)).toContain('E:e2 -> T:u1 (mail)');
    expect(entra[2]!.props.correlation_status).toBe('unmatched');
  });
});
