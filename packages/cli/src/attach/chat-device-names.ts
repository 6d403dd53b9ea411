import type { BatonClient } from '@baton/client';
import { WEBSOCKET_PATH } from '@baton/protocol';

/**
 * Device names for the lines of the chat view: from the server's device list, from presence,
 * and this connection's own. An unknown id triggers one more look at the list.
 */
export class DeviceNames {
  private readonly names = new Map<string, string>([
    ['owner', 'owner'],
    ['baton', 'baton'],
  ]);
  private readonly asked = new Set<string>();
  private readonly httpUrl: string;

  constructor(
    wsUrl: string,
    private readonly token: string,
    private readonly client: BatonClient,
  ) {
    this.httpUrl = wsUrl.replace(/^ws/, 'http').replace(new RegExp(`${WEBSOCKET_PATH}$`), '');
  }

  name(deviceId: string): string {
    const known = this.names.get(deviceId);
    if (known) return known;
    const state = this.client.state;
    if (state.status === 'connected' && state.deviceId === deviceId) return state.deviceName;
    if (!this.asked.has(deviceId)) {
      this.asked.add(deviceId);
      void this.load();
    }
    return deviceId;
  }

  learn(attached: ReadonlyArray<{ deviceId: string; deviceName: string }>): void {
    for (const a of attached) this.names.set(a.deviceId, a.deviceName);
  }

  /** Reads the device list; a failure only means ids are shown instead of names. */
  async load(): Promise<void> {
    try {
      const res = await fetch(`${this.httpUrl}/api/devices`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) return;
      const body = (await res.json()) as { devices?: Array<{ id: string; name: string }> };
      for (const d of body.devices ?? []) this.names.set(d.id, d.name);
    } catch {
      // Names are a nicety; the view works with ids.
    }
  }
}
