import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { BatonError } from '../baton-error.js';

/**
 * The server's address as the client reached it, for links the client hands to another device
 * (pairing and handoff URLs): the configured public URL when there is one (behind a reverse
 * proxy, whose own address the server cannot see), otherwise the request's `Host` header with
 * `https` when the request came over TLS. The router has already refused a malformed `Host`.
 * Forwarded headers are not trusted: any client could send them.
 */
export function publicBaseUrl(req: IncomingMessage, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  const host = req.headers.host;
  if (!host)
    throw new BatonError(
      'bad_request',
      'the request has no Host header: send one naming the address other devices reach this server at',
    );
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  return `${scheme}://${host}`;
}
