/**
 * The few HTTP calls the benchmark makes to a baton server before connecting devices: register
 * devices and create sessions, authenticated with the owner token.
 */
export class BatonApi {
  constructor(
    private readonly httpUrl: string,
    private readonly ownerToken: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${this.ownerToken}`, 'content-type': 'application/json' },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${this.httpUrl}${path}`, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Registers a device and returns its token. */
  async registerDevice(name: string): Promise<string> {
    const r = await this.call<{ token: string }>('POST', '/api/devices', {
      name,
      mode: 'headless',
    });
    return r.token;
  }

  /** Creates a session and returns its id. */
  async createSession(
    kind: string,
    name: string,
    config?: Record<string, unknown>,
  ): Promise<string> {
    const body: Record<string, unknown> = { kind, name };
    if (config) body.config = config;
    const r = await this.call<{ id?: string; session?: { id: string } }>(
      'POST',
      '/api/sessions',
      body,
    );
    const id = r.session?.id ?? r.id;
    if (!id) throw new Error(`POST /api/sessions returned no session id: ${JSON.stringify(r)}`);
    return id;
  }

  /** Deletes a session (stops its runner first). */
  async deleteSession(id: string): Promise<void> {
    await this.call('DELETE', `/api/sessions/${id}`);
  }
}
