import type { IncomingMessage } from 'node:http';
import { hostname as machineHostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { WEBSOCKET_PATH } from '@baton/protocol';
import { endWithJsonError } from '../http/raw-error-response.js';
import { hostHeaderProblem, hostnameOf, parseRequestTarget } from '../http/request-target.js';

export interface UpgradeGuardOptions {
  /** The address the server listens on (`127.0.0.1`, `0.0.0.0`, `::`, a name, …). */
  boundHost: string;
  /** Extra origins allowed to connect (`*` allows every origin and every host). */
  allowedOrigins: readonly string[];
  /** The server speaks TLS: refusals suggest an https origin. */
  secure?: boolean;
  /** Further WebSocket paths this server serves (a relay's host link). */
  extraPaths?: readonly string[];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);
const IPV4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;

/**
 * Decides whether an HTTP upgrade may become a baton WebSocket. Refusals are answered on the raw
 * socket with a status and one line saying what to change; the function never throws.
 *
 * Two checks protect a local baton from web pages the user visits:
 * - Origin: browsers always send it; only same-origin pages, loopback pages and allowed origins
 *   may connect.
 * - Host: a DNS-rebinding page (`evil.example` re-pointed at 127.0.0.1) sends a matching Origin
 *   and Host of its own name, which passes the Origin check. So the Host must be a name this
 *   server is reachable as: loopback names, the bound address, the hosts of the allowed
 *   origins, and (when bound to every interface) IP literals and this machine's name.
 */
export class UpgradeGuard {
  private readonly hosts: Set<string>;
  private readonly anyIp: boolean;
  private readonly anyHost: boolean;

  constructor(private readonly opts: UpgradeGuardOptions) {
    this.anyHost = opts.allowedOrigins.includes('*');
    this.anyIp = WILDCARDS.has(opts.boundHost);
    this.hosts = new Set(['localhost', '127.0.0.1', '[::1]']);
    if (!this.anyIp) {
      const h = opts.boundHost.toLowerCase();
      this.hosts.add(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
    } else {
      const name = machineHostname().toLowerCase();
      this.hosts.add(name);
      this.hosts.add(`${name.split('.')[0]}.local`);
    }
    for (const origin of opts.allowedOrigins) {
      try {
        const url = new URL(origin);
        // Only a web origin names a host the server is reached as (a reverse proxy's). A
        // browser extension's origin (`chrome-extension://<id>`) is a page's identity, not a
        // host: its id must never become an accepted Host, or a DNS name equal to it would pass.
        if (url.protocol === 'http:' || url.protocol === 'https:')
          this.hosts.add(url.hostname.toLowerCase());
      } catch {
        // Not a URL (e.g. `*`): nothing to add.
      }
    }
  }

  /** Returns true when the upgrade may proceed; otherwise it has answered and closed `socket`. */
  admit(req: IncomingMessage, socket: Duplex): boolean {
    let path: string;
    try {
      path = parseRequestTarget(req.url).rawPath;
    } catch (err) {
      return refuse(socket, 400, 'Bad Request', (err as Error).message);
    }
    if (path !== WEBSOCKET_PATH && !(this.opts.extraPaths ?? []).includes(path))
      return refuse(socket, 404, 'Not Found', `the WebSocket endpoint is ${WEBSOCKET_PATH}`);
    const handshake = handshakeProblem(req);
    if (handshake) return refuse(socket, ...handshake);
    const host = req.headers.host;
    const problem = host === undefined ? 'the Host header is missing' : hostHeaderProblem(host);
    if (problem) return refuse(socket, 400, 'Bad Request', problem);
    if (!this.hostAllowed(host!))
      return refuse(
        socket,
        403,
        'Forbidden',
        `host '${hostnameOf(host!)}' is not a name this server is bound to; connect through ` +
          `localhost or the bound address, or start baton serve with --allow-origin ` +
          `${this.opts.secure ? 'https' : 'http'}://${host!} to accept it`,
      );
    if (!this.originAllowed(req.headers.origin, host!))
      return refuse(
        socket,
        403,
        'Forbidden',
        'origin not allowed; start baton serve with --allow-origin',
      );
    return true;
  }

  hostAllowed(host: string): boolean {
    if (this.anyHost) return true;
    const name = hostnameOf(host);
    if (this.hosts.has(name) || name.endsWith('.localhost')) return true;
    if (IPV4.test(name) && name.startsWith('127.')) return true;
    return this.anyIp && (IPV4.test(name) || name.startsWith('['));
  }

  /**
   * Browsers always send Origin; other clients usually do not. Same-origin pages (the web app),
   * loopback pages and explicitly allowed origins may connect; any other site may not. A browser
   * extension's pages send `chrome-extension://<id>`, which matches only when that exact origin
   * is allowed (`--allow-origin chrome-extension://<id>`): no other extension gets in with it.
   */
  private originAllowed(origin: string | undefined, host: string): boolean {
    if (!origin) return true;
    const allowed = this.opts.allowedOrigins;
    if (allowed.includes(origin) || allowed.includes('*')) return true;
    try {
      const o = new URL(origin);
      if (o.host === host) return true;
      return o.hostname === 'localhost' || o.hostname === '127.0.0.1' || o.hostname === '[::1]';
    } catch {
      return false;
    }
  }
}

/** RFC 7230's token: what a subprotocol name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What RFC 6455 (4.2.1) requires of an opening handshake, checked before `ws` is handed the
 * socket: its own refusals are plain text, and every refusal here is JSON (docs/protocol.md).
 */
function handshakeProblem(
  req: IncomingMessage,
): [status: number, text: string, message: string, extra?: string] | undefined {
  if (req.method !== 'GET')
    return [405, 'Method Not Allowed', 'a WebSocket opening handshake is a GET request'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket')
    return [400, 'Bad Request', 'the Upgrade header must be websocket'];
  if (!/^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? ''))
    return [400, 'Bad Request', 'Sec-WebSocket-Key must be 16 random bytes in base64'];
  // 13 is RFC 6455's; `ws` also speaks the last draft's 8, and so still does here.
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8')
    return [
      400,
      'Bad Request',
      'Sec-WebSocket-Version must be 13',
      'sec-websocket-version: 13, 8\r\n',
    ];
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined && !protocols.split(',').every((p) => TOKEN.test(p.trim())))
    return [400, 'Bad Request', 'Sec-WebSocket-Protocol must be a comma-separated list of tokens'];
  return undefined;
}

function refuse(socket: Duplex, status: number, text: string, message: string, extra = ''): false {
  const code = status === 403 ? 'forbidden' : 'bad_request';
  endWithJsonError(socket, status, text, { code, message }, extra);
  return false;
}
