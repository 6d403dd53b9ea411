/**
 * The extension's device credential: which baton server it is paired with and the device token
 * it got there. It lives in `chrome.storage.local`, the extension's own storage that the popup,
 * the side panel and the worker all read (an extension page's localStorage is not shared with
 * the worker, and is cleared with site data). One server per extension: pairing again replaces
 * it.
 */
export interface ExtensionCredential {
  /** The server's origin, `http(s)://host:port`. */
  readonly server: string;
  readonly deviceId: string;
  readonly token: string;
}

/** What was found in storage: nothing, a usable credential, or an entry that was unreadable. */
export type StoredCredential =
  | { readonly kind: 'none' }
  | { readonly kind: 'paired'; readonly credential: ExtensionCredential }
  | { readonly kind: 'corrupt'; readonly problem: string };

export const CREDENTIAL_KEY = 'baton.device';

/** Reads and checks the stored credential. A corrupt entry is removed, and said so. */
export async function loadExtensionCredential(
  area: chrome.storage.StorageArea = chrome.storage.local,
): Promise<StoredCredential> {
  const value = (await area.get(CREDENTIAL_KEY))[CREDENTIAL_KEY];
  if (value === undefined) return { kind: 'none' };
  const problem = credentialProblem(value);
  if (problem === undefined) {
    const v = value as ExtensionCredential;
    return {
      kind: 'paired',
      credential: { server: new URL(v.server).origin, deviceId: v.deviceId, token: v.token },
    };
  }
  await area.remove(CREDENTIAL_KEY);
  return { kind: 'corrupt', problem };
}

export function saveExtensionCredential(
  credential: ExtensionCredential,
  area: chrome.storage.StorageArea = chrome.storage.local,
): Promise<void> {
  return area.set({ [CREDENTIAL_KEY]: credential });
}

export function clearExtensionCredential(
  area: chrome.storage.StorageArea = chrome.storage.local,
): Promise<void> {
  return area.remove(CREDENTIAL_KEY);
}

/** Why `value` is not a credential, or undefined when it is one. */
function credentialProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'it is not an object';
  const v = value as Record<string, unknown>;
  if (typeof v['deviceId'] !== 'string' || v['deviceId'] === '') return 'it has no device id';
  if (typeof v['token'] !== 'string' || v['token'] === '') return 'it has no device token';
  if (typeof v['server'] !== 'string') return 'it has no server address';
  try {
    const url = new URL(v['server']);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return `its server address ${v['server']} is not http or https`;
  } catch {
    return `its server address ${v['server']} is not a URL`;
  }
  return undefined;
}
