import { isIP } from 'node:net';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { canonicalIp, type HostNames } from './names';

/**
 * What the store's authority may sign (its Name Constraints extension, RFC 5280 4.2.1.10): names of the store's own
 * network, never a public site's. A copy of its key then cannot impersonate a bank or Google to the tablets that
 * trust it; at worst a name of the store's own network.
 */
export type Permitted = { dns: string[]; ips: string[] };

/** Private and local address ranges: a store's network, wherever its addresses move within them. */
const LOCAL_RANGES = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '::1/128', 'fc00::/7', 'fe80::/10'];

/**
 * The authority's permitted names, decided when it is made: localhost, `.local` (mDNS), the machine's own name, the
 * names the operator gives (HTTPS_HOSTNAMES), every private and local range, and the addresses the machine has
 * then (a /32 or /128 each, for a network outside those ranges).
 */
export function permittedFor(names: HostNames): Permitted {
  const dns = new Set(['localhost', 'local', ...names.dns.filter((n) => n !== 'localhost' && !n.endsWith('.local'))]);
  const ips = new Set(LOCAL_RANGES);
  for (const ip of names.ips) {
    if (!LOCAL_RANGES.some((range) => inRange(ip, range))) ips.add(`${ip}/${isIP(ip) === 4 ? 32 : 128}`);
  }
  return { dns: [...dns], ips: [...ips] };
}

/** The extension itself, critical (a verifier that cannot apply it must refuse the chain). */
export function nameConstraintsExtension(permitted: Permitted) {
  const subtrees = [
    ...permitted.dns.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ...permitted.ips.map((iPAddress) => new GeneralSubtree({ base: new GeneralName({ iPAddress }) })),
  ];
  return { oid: id_ce_nameConstraints, value: AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) })) };
}

/** The names an authority's certificate permits; null when it has no constraints (it may sign anything). */
export function permittedBy(authorityPem: string): Permitted | null {
  const extension = new PeculiarCertificate(authorityPem).getExtension(id_ce_nameConstraints);
  if (!extension) return null;
  const constraints = AsnConvert.parse(extension.value, NameConstraints);
  const bases = (constraints.permittedSubtrees ?? []).map((subtree) => subtree.base);
  return { dns: bases.flatMap((b) => (b.dNSName ? [b.dNSName.toLowerCase()] : [])), ips: bases.flatMap((b) => (b.iPAddress ? [b.iPAddress] : [])) };
}

/** Whether `permitted` allows `name` (a DNS name: equal, or under it; an address: inside one of the ranges). */
export function allows(permitted: Permitted | null, name: string): boolean {
  if (!permitted) return true;
  if (isIP(name)) return permitted.ips.some((range) => inRange(name, range));
  const host = name.toLowerCase();
  return permitted.dns.some((base) => host === base || host.endsWith(`.${base}`));
}

/** The names of `names` the authority may sign (those it may not would make every device refuse the certificate). */
export function signable(permitted: Permitted | null, names: HostNames): { names: HostNames; refused: string[] } {
  const refused = [...names.dns, ...names.ips].filter((n) => !allows(permitted, n));
  return { names: { dns: names.dns.filter((n) => allows(permitted, n)), ips: names.ips.filter((n) => allows(permitted, n)) }, refused };
}

function bytesOf(ip: string): number[] {
  if (isIP(ip) === 4) return ip.split('.').map(Number);
  return canonicalIp(ip)
    .split(':')
    .flatMap((group) => {
      const n = parseInt(group, 16);
      return [n >> 8, n & 0xff];
    });
}

function inRange(ip: string, range: string): boolean {
  const [base = '', prefixText = ''] = range.split('/');
  if (isIP(ip) !== isIP(base)) return false;
  const [a, b] = [bytesOf(ip), bytesOf(base)];
  let bits = Number(prefixText);
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}
