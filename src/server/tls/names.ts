import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';

/** The names a certificate covers, as its Subject Alternative Names: DNS names and IP addresses, each canonical. */
export type HostNames = { dns: string[]; ips: string[] };

const LOOPBACK = ['127.0.0.1', '::1'];

/**
 * Every name a browser may reach this machine by: localhost and the loopback addresses, the host name (and its
 * mDNS `.local` form), every address of every interface but link-local IPv6 ones (they need a zone, which no URL a
 * tablet opens carries), and the names the operator adds (HTTPS_HOSTNAMES).
 */
export function machineNames(extra: readonly string[], interfaces = os.networkInterfaces(), hostname = os.hostname()): HostNames {
  const dns = new Set<string>(['localhost']);
  const ips = new Set<string>(LOOPBACK.map(canonicalIp));
  const host = hostname.trim().toLowerCase();
  if (host && isIP(host) === 0) {
    dns.add(host);
    if (!host.includes('.')) dns.add(`${host}.local`);
  }
  for (const list of Object.values(interfaces)) {
    for (const address of list ?? []) {
      if (address.internal || (address.family === 'IPv6' && /^fe[89ab]/i.test(address.address))) continue;
      ips.add(canonicalIp(address.address));
    }
  }
  for (const name of extra) {
    if (isIP(name)) ips.add(canonicalIp(name));
    else dns.add(name.toLowerCase());
  }
  return { dns: [...dns].sort(), ips: [...ips].sort(byReachability) };
}

/** One spelling per address: IPv6 expanded to eight lower-case groups without leading zeros (as X.509 tools print it). */
export function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  let [head = '', tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  // An IPv4 tail (::ffff:1.2.3.4) as two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(tail ?? head);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    const groups = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    if (tail !== undefined) tail = tail.replace(v4[0], groups);
    else head = head.replace(v4[0], groups);
  }
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16).toString(16)).join(':');
}

/** Whether `name` (a host as a browser sends it: no port, IPv6 without brackets) is one of the certificate's names. */
export function covers(names: HostNames, name: string): boolean {
  const host = name.toLowerCase();
  return isIP(host) ? names.ips.includes(canonicalIp(host)) : names.dns.includes(host);
}

/** The names of `wanted` that `names` lacks (a new address, a name added to HTTPS_HOSTNAMES). */
export function missingNames(names: HostNames, wanted: HostNames): string[] {
  return [...wanted.dns.filter((n) => !covers(names, n)), ...wanted.ips.filter((ip) => !covers(names, ip))];
}

export const isLoopback = (host: string) => host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || (isIP(host) === 6 && canonicalIp(host) === canonicalIp('::1'));

/**
 * The addresses a tablet on the store's network would use, best first: private IPv4 (10/8, 172.16/12, 192.168/16),
 * then any other IPv4, then IPv6; never loopback.
 */
export function lanAddresses(names: HostNames): string[] {
  return names.ips.filter((ip) => !isLoopback(ip));
}

function reachability(ip: string): number {
  if (isLoopback(ip)) return 3;
  if (isIP(ip) === 6) return 2;
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip) ? 0 : 1;
}

function byReachability(a: string, b: string): number {
  return reachability(a) - reachability(b) || a.localeCompare(b, 'en', { numeric: true });
}

/** `host` as it goes in a URL: IPv6 in brackets. */
export const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

/** An address as people read it: IPv6 with its longest run of zero groups as `::` (fd00::2, ::1). */
export function shortIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = canonicalIp(ip).split(':');
  let best = { start: -1, length: 1 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** Interfaces no tablet reaches this machine through: container and VM bridges, VPN tunnels. */
const VIRTUAL_INTERFACE = /^(docker|br-|veth|virbr|vmnet|vboxnet|lxc|lxd|cni|flannel|cali|podman|tun|tap|wg|tailscale|zt|utun|vEthernet)/i;

/** The interface of the default route (Linux's /proc/net/route), or null where it cannot be read. */
export function defaultRouteInterface(): string | null {
  try {
    const route = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).map((line) => line.trim().split(/\s+/));
    return route.find((fields) => fields[1] === '00000000' && fields[0])?.[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * The addresses to offer a tablet (QR codes, the install page's secure address), best first: those of the default
 * route's interface, then of other physical interfaces, private IPv4 before other IPv4 before IPv6; never loopback,
 * a container bridge or a VPN. `listenHost` is HOST: a server bound to one address offers that one, one bound to
 * 0.0.0.0 no IPv6.
 */
export function tabletAddresses(listenHost: string, interfaces = os.networkInterfaces(), routeInterface = defaultRouteInterface()): string[] {
  if (listenHost && !['0.0.0.0', '::', ''].includes(listenHost)) return isLoopback(listenHost) ? [] : [canonicalIp(listenHost)];
  const ranked: { ip: string; rank: number }[] = [];
  for (const [name, list] of Object.entries(interfaces)) {
    if (VIRTUAL_INTERFACE.test(name)) continue;
    for (const address of list ?? []) {
      if (address.internal || (address.family === 'IPv6' && (listenHost !== '::' || /^fe[89ab]/i.test(address.address)))) continue;
      ranked.push({ ip: canonicalIp(address.address), rank: (name === routeInterface ? 0 : 10) + reachability(address.address) });
    }
  }
  return [...new Set(ranked.sort((a, b) => a.rank - b.rank || a.ip.localeCompare(b.ip, 'en', { numeric: true })).map((r) => r.ip))];
}
