import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';

/** The DNS names and IP addresses a self-signed certificate for this machine should cover. */
export interface MachineNames {
  dns: string[];
  ips: string[];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * localhost, 127.0.0.1, ::1, the bound address, and this machine's name (plain and `.local`,
 * as mDNS announces it) and every address of its network interfaces: whatever a phone on the
 * same network may type to reach it. Sorted, so two calls on an unchanged machine compare
 * equal (the certificate is renewed when this set grows).
 */
export function machineNames(boundHost: string): MachineNames {
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  const bound = boundHost.replace(/^\[|\]$/g, '');
  if (!WILDCARDS.has(bound)) {
    if (isIP(bound)) ips.add(bound);
    else dns.add(bound.toLowerCase());
  }
  const name = hostname().toLowerCase();
  if (name && name !== 'localhost') {
    dns.add(name);
    dns.add(`${name.split('.')[0]}.local`);
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) {
      // Link-local IPv6 addresses need a zone (fe80::1%eth0) that URLs and certificates lack.
      if (address.family === 'IPv6' && address.address.toLowerCase().startsWith('fe80')) continue;
      ips.add(address.address);
    }
  }
  return { dns: [...dns].sort(), ips: [...ips].sort() };
}
