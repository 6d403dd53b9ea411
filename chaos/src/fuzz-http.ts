import { rng } from './fuzz-frames.js';

/**
 * Hostile HTTP requests for the HTTP fuzzer, written as raw bytes so that nothing between the
 * fuzzer and the server tidies them up: malformed URLs and `%` escapes, odd and unknown methods,
 * broken and oversized headers, bad, huge and truncated bodies. Requests that carry the owner
 * token never name a real session and never carry a body that could create a session (every
 * body lacks a valid `kind`), so the honest sessions cannot be touched by a request the server
 * accepts. At most they register a device with a hostile name, which a server that refuses
 * control characters in names answers with 400.
 */

export type HttpFuzzCategory = 'url' | 'method' | 'header' | 'body' | 'huge-body' | 'truncated';

export interface HttpFuzzRequest {
  category: HttpFuzzCategory;
  /** The request line, for reports. */
  line: string;
  /** Everything written to the socket. */
  bytes: Buffer;
  /** Written and then the socket is half-closed before the request is complete. */
  truncated: boolean;
}

const BAD_PATHS = [
  '/%zz',
  '/%ff',
  '//',
  '/%',
  '/%%',
  '/%2',
  '/%zz/%zz',
  '/api/%zz',
  '/api/sessions/%zz',
  '/api/sessions/%E0%A4%A',
  '/api/sessions/%00',
  '/api/sessions/s_%ff/events',
  '/api/sessions/x/events?after=%zz',
  '/api/sessions/x/events?after=-1&limit=abc',
  '/api/sessions/x/events?after=1e309&limit=99999999999',
  '/api/sessions?%zz=%zz',
  '/?%zz',
  '/#%zz',
  '/..%2f..%2fetc%2fpasswd',
  '/../../etc/passwd',
  '/assets/%2e%2e/%2e%2e/package.json',
  '/%c0%af',
  '/\u00e9t\u00e9',
  '/api//sessions',
  '/api/sessions/',
  '/api/devices/%zz',
  '/v1/ws/%zz',
  '/v1/ws?%zz',
  '*',
  'http://evil.example/api/health',
  '/api/health?x=' + '%41'.repeat(2000),
];

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'CONNECT',
  'PROPFIND',
  'BREW',
  'get',
  'G\u00c9T',
  'GET GET',
];

/** Paths that exist, for method and body fuzzing; session ids are never real ones. */
const REAL_PATHS = [
  '/api/health',
  '/api/devices',
  '/api/sessions',
  '/api/sessions/s_doesnotexist',
  '/api/sessions/s_doesnotexist/events',
  '/api/sessions/s_doesnotexist/inputs',
  '/api/sessions/s_doesnotexist/stop',
  '/api/sessions/s_doesnotexist/restart',
  '/api/sessions/s_doesnotexist/interrupt',
  '/api/openapi.json',
  '/v1/ws',
  '/',
  '/index.html',
];

/** Bodies no endpoint may accept. */
const BAD_BODIES = [
  '',
  '{',
  'null',
  '[]',
  '"string"',
  '{"kind":42}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"kind":"nope","name":"x"}',
  '{"name":"\u0000\u001b]0;pwned\u0007"}',
  '{"inputId":"","payload":{}}',
  '\u00ff\u00fe\u0000',
  '[' + '['.repeat(5000) + ']'.repeat(5000) + ']',
  '{"a":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5001),
];

export class HttpFuzzRequests {
  private readonly random: () => number;
  private count = 0;

  constructor(
    seed: number,
    private readonly token: string,
    /** The server's body limit: huge bodies go past it. */
    private readonly maxBodyBytes: number,
  ) {
    this.random = rng(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private randomPath(): string {
    const chars = 'abc/%?#=&.~:@!$ +\\"<>{}|^`[]\t\u0001\u007f\u00e9';
    let p = '/';
    const n = 1 + Math.floor(this.random() * 40);
    for (let i = 0; i < n; i++) p += chars[Math.floor(this.random() * chars.length)];
    return p;
  }

  next(): HttpFuzzRequest {
    this.count++;
    const categories: HttpFuzzCategory[] = [
      'url',
      'url',
      'method',
      'header',
      'body',
      'huge-body',
      'truncated',
    ];
    const category = this.pick(categories);
    const auth = this.random() < 0.5 ? [`Authorization: Bearer ${this.token}`] : [];
    switch (category) {
      case 'url': {
        const path = this.random() < 0.7 ? this.pick(BAD_PATHS) : this.randomPath();
        return this.build(category, this.pick(['GET', 'GET', 'POST', 'DELETE']), path, auth);
      }
      case 'method':
        return this.build(category, this.pick(METHODS), this.pick(REAL_PATHS), auth);
      case 'header':
        return this.build(category, 'GET', this.pick(REAL_PATHS), [...auth, ...this.badHeaders()]);
      case 'body': {
        const body = this.pick(BAD_BODIES);
        const type = this.pick([
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          '',
        ]);
        return this.build(
          category,
          this.pick(['POST', 'PUT', 'PATCH', 'DELETE']),
          this.pick(REAL_PATHS),
          [
            ...auth,
            ...(type ? [`Content-Type: ${type}`] : []),
            `Content-Length: ${Buffer.byteLength(body)}`,
          ],
          Buffer.from(body),
        );
      }
      case 'huge-body': {
        const size = this.maxBodyBytes + 1 + Math.floor(this.random() * this.maxBodyBytes);
        const body = Buffer.alloc(size, this.random() < 0.5 ? 0x7b : 0x20);
        const chunked = this.random() < 0.5;
        const headers = [...auth, 'Content-Type: application/json'];
        if (chunked) {
          headers.push('Transfer-Encoding: chunked');
          const chunk = Buffer.concat([
            Buffer.from(`${size.toString(16)}\r\n`),
            body,
            Buffer.from('\r\n0\r\n\r\n'),
          ]);
          return this.build(category, 'POST', this.pick(REAL_PATHS), headers, chunk);
        }
        headers.push(`Content-Length: ${size}`);
        return this.build(category, 'POST', this.pick(REAL_PATHS), headers, body);
      }
      case 'truncated': {
        // A Content-Length larger than what is sent, then the socket is half-closed.
        const body = this.pick(BAD_BODIES).slice(0, 10);
        const request = this.build(
          category,
          'POST',
          this.pick(REAL_PATHS),
          [...auth, 'Content-Type: application/json', `Content-Length: ${body.length + 1000}`],
          Buffer.from(body),
        );
        return { ...request, truncated: true };
      }
    }
  }

  private badHeaders(): string[] {
    const options: (() => string[])[] = [
      () => [`X-Big: ${'a'.repeat(20_000 + Math.floor(this.random() * 80_000))}`],
      () => Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${i}`),
      () => ['Content-Length: abc'],
      () => ['Content-Length: -1'],
      () => ['Content-Length: 5', 'Content-Length: 6'],
      () => ['Transfer-Encoding: chunked', 'Content-Length: 5'],
      () => ['Transfer-Encoding: gzip, chunked, identity'],
      () => ['Authorization: Bearer'],
      () => [`Authorization: Bearer ${'\u00e9'.repeat(100)}`],
      () => [`Authorization: Basic ${'A'.repeat(10_000)}`],
      () => ['Authorization: Bearer a', 'Authorization: Bearer b'],
      () => ['Host: evil.example'],
      () => ['Host: '],
      () => ['Host: 127.0.0.1:1', 'Host: 127.0.0.1:2'],
      () => ['Origin: http://evil.example'],
      () => ['Origin: null'],
      () => ['Upgrade: websocket', 'Connection: Upgrade'],
      () => [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Version: 99',
        'Sec-WebSocket-Key: x',
      ],
      () => ['Expect: 100-continue'],
      () => ['Accept-Encoding: ' + 'gzip, '.repeat(2000)],
      () => ['Cookie: ' + 'a=b; '.repeat(3000)],
      () => ['Bad Header Name: x'],
      () => ['X-Null: a\u0000b'],
      () => ['X-Folded: a', ' continued'],
    ];
    return this.pick(options)();
  }

  private build(
    category: HttpFuzzCategory,
    method: string,
    path: string,
    headers: string[],
    body?: Buffer,
  ): HttpFuzzRequest {
    const line = `${method} ${path} HTTP/1.1`;
    const hasHost = headers.some((h) => /^host:/i.test(h));
    const head = [
      line,
      ...(hasHost ? [] : ['Host: 127.0.0.1']),
      ...headers,
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    const bytes = Buffer.concat([Buffer.from(head, 'latin1'), body ?? Buffer.alloc(0)]);
    return { category, line: line.slice(0, 120), bytes, truncated: false };
  }
}
