/**
 * Parses the request line's target and the Host header of an HTTP request into something the
 * routes can trust, or says in one line why the request is malformed. Never throws: every
 * decoding error at the HTTP edge becomes a `RequestTargetError` answered with a 4xx.
 */

/** Longest request target (path and query) accepted; longer ones get 414. */
export const MAX_URL_BYTES = 8 * 1024;

export interface RequestTarget {
  /** The path as sent (still percent-encoded), always starting with a single `/`. */
  rawPath: string;
  /** The path with every segment percent-decoded; contains no `..`, `.`, NUL or backslash. */
  path: string;
  /** The full URL for query parsing; its origin is a placeholder, never the Host header. */
  url: URL;
}

export class RequestTargetError extends Error {
  constructor(
    readonly status: 400 | 414,
    message: string,
  ) {
    super(message);
    this.name = 'RequestTargetError';
  }
}

/**
 * A Host header: a DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port.
 * Underscores are allowed (container and service names use them, though DNS does not). Anything
 * else (spaces, userinfo, paths, percent escapes) is refused.
 */
const HOST_HEADER =
  /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})?(?:\.[A-Za-z0-9_-]{1,63})*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/** Whether a Host header value is well-formed (an absent header is allowed: HTTP/1.0). */
export function hostHeaderProblem(
  host: string | undefined,
  httpVersion = '1.0',
): string | undefined {
  // HTTP/1.1 requires Host (RFC 9112, 3.2); 1.0 predates it. Checked here rather than by Node,
  // whose own refusal is a 400 with no body.
  if (host === undefined)
    return httpVersion === '1.0' ? undefined : 'the Host header is missing: HTTP/1.1 requires one';
  if (host.length > 260 || !HOST_HEADER.test(host))
    return 'malformed Host header: send a host name or address, optionally with :port';
  const port = /:([0-9]+)$/.exec(host)?.[1];
  if (port !== undefined && Number(port) > 65535) return 'malformed Host header: port out of range';
  return undefined;
}

/** The hostname part of a well-formed Host header, lower-cased, brackets kept for IPv6. */
export function hostnameOf(host: string): string {
  const bracket = /^(\[[^\]]+\])/.exec(host);
  if (bracket) return bracket[1]!.toLowerCase();
  return (host.split(':')[0] ?? '').replace(/\.$/, '').toLowerCase();
}

export function parseRequestTarget(rawUrl: string | undefined): RequestTarget {
  const raw = rawUrl ?? '/';
  if (Buffer.byteLength(raw) > MAX_URL_BYTES)
    throw new RequestTargetError(414, `the URL is longer than ${MAX_URL_BYTES} bytes`);
  // Only origin-form targets: absolute-form (`http://…`), authority-form and `*` are for proxies.
  if (!raw.startsWith('/'))
    throw new RequestTargetError(400, 'the request target must be a path starting with /');
  const q = raw.indexOf('?');
  const rawPath = q >= 0 ? raw.slice(0, q) : raw;
  if (rawPath.startsWith('//'))
    throw new RequestTargetError(400, `malformed path '${clip(rawPath)}': it starts with //`);
  // Prefixing a fixed origin keeps the target a path: `new URL('//x', base)` would read `x` as a
  // host, and a bare `new URL(raw, base)` throws on some malformed targets.
  let url: URL;
  try {
    url = new URL('http://baton.invalid' + raw);
  } catch {
    throw new RequestTargetError(400, `malformed URL '${clip(raw)}'`);
  }
  const segments = rawPath.split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    let d: string;
    try {
      d = decodeURIComponent(segment);
    } catch {
      throw new RequestTargetError(
        400,
        `malformed percent escape in path '${clip(rawPath)}': escape % as %25`,
      );
    }
    if (d === '..' || d === '.' || /[/\\\0]/.test(d))
      throw new RequestTargetError(
        400,
        `path '${clip(rawPath)}' contains '.', '..', an encoded slash or NUL; send a plain path`,
      );
    decoded.push(d);
  }
  try {
    // The query is decoded lazily by URLSearchParams, which never throws; check it here once so
    // a bad escape is a 400 rather than a silently altered value.
    if (q >= 0) decodeURIComponent(raw.slice(q + 1).replace(/\+/g, ' '));
  } catch {
    throw new RequestTargetError(400, `malformed percent escape in the query of '${clip(raw)}'`);
  }
  return { rawPath, path: decoded.join('/'), url };
}

function clip(s: string): string {
  const printable = s.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 100 ? printable.slice(0, 100) + '…' : printable;
}
