import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { BatonError } from '../baton-error.js';

/**
 * The server's address for links the client hands to another device (pairing URLs):
 * - the configured public URL when there is one (behind a reverse proxy, whose own address the
 *   server cannot see);
 * - otherwise the request's `Host` header, as the client reached the server, with `https` when
 *   the request came over TLS;
 * - except that a loopback or unspecified `Host` (the host's own browser or CLI) names nothing
 *   another device can reach: when the server listens beyond loopback, the address it listens
 *   on (or, listening on every interface, the machine's first LAN address) is used instead.
 * The router has already refused a malformed `Host`. Forwarded headers are not trusted: any
 * client could send them.
 */
export function publicBaseUrl(
  req: IncomingMessage,
  configured: string | undefined,
  listenHost: string | undefined,
): string {
  if (configured) return configured.replace(/\/+$/, '');
  const host = req.headers.host;
  if (!host)
    throw new BatonError(
      'bad_request',
      'the request has no Host header: send one naming the address other devices reach this server at',
    );
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  const url = new URL(`${scheme}://${host}`);
  if (isLocalName(url.hostname) && listenHost !== undefined && !isLoopback(listenHost)) {
    const lan = isUnspecified(listenHost) ? firstLanAddress() : listenHost;
    if (lan) url.hostname = lan.includes(':') ? `[${lan}]` : lan;
  }
  return url.origin;
}

function isLoopback(name: string): boolean {
  const h = name.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)
  );
}

function isUnspecified(name: string): boolean {
  const h = name.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

function isLocalName(name: string): boolean {
  return isLoopback(name) || isUnspecified(name);
}

/** The machine's first non-internal IPv4 address, else its first non-internal IPv6 one. */
function firstLanAddress(): string | undefined {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const external = all.filter((a) => !a.internal && !a.address.startsWith('fe80:'));
  return (external.find((a) => a.family === 'IPv4') ?? external[0])?.address;
}
