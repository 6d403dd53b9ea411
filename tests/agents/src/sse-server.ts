import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake model API received. */
export interface RecordedRequest {
  method: string;
  url: string;
  body: unknown;
}

/**
 * The HTTP part shared by the fake model APIs: listens on 127.0.0.1:0, records every request,
 * and hands POSTs to `handle`. Anything else (Claude Code probes `HEAD /`) gets an empty 200.
 */
export class SseServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly handle: (body: unknown, res: ServerResponse) => Promise<void>) {
    this.server = createServer((req, res) => void this.onRequest(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** POST requests received so far (the model calls). */
  posts(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', body });
    if (req.method !== 'POST') {
      res.writeHead(200).end();
      return;
    }
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    try {
      await this.handle(body, res);
    } catch {
      res.destroy();
    }
  }
}

/** Writes one server-sent event. False once the client went away. */
export function sendEvent(res: ServerResponse, event: string, data: unknown): boolean {
  if (res.destroyed || res.writableEnded) return false;
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  return true;
}

/** Splits `text` into `n` roughly equal pieces, so a reply streams as several deltas. */
export function chunk(text: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
