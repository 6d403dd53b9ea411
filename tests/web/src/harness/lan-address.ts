import { networkInterfaces } from 'node:os';

/**
 * This machine's first non-loopback IPv4 address (what a phone on the same network would
 * type), or undefined when it has none.
 */
export function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}
