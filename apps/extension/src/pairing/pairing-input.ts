/**
 * What a person pasted into the extension's pairing form. The web app's pairing QR encodes a
 * link, `https://host:port/pair#code=XXXXX-XXXXX&fp=…`; an extension cannot be pointed at it by a
 * camera, so the same link is pasted (or the server's address and the code are typed apart).
 */
export type PairingInput =
  | {
      readonly ok: true;
      readonly server: string;
      readonly code: string;
      readonly fingerprint?: string;
    }
  | { readonly ok: false; readonly problem: string };

/** Reads the server address (or a whole pairing link) and the code fields. */
export function readPairingInput(addressText: string, codeText: string): PairingInput {
  const address = addressText.trim();
  if (!address)
    return {
      ok: false,
      problem:
        'Enter the address of your baton server (as baton serve printed it) or paste a pairing link.',
    };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return {
      ok: false,
      problem: `'${address}' is not an address. It looks like http://127.0.0.1:7777 or https://laptop.local:7777.`,
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return {
      ok: false,
      problem: `baton is reached over http or https, not ${url.protocol.replace(/:$/, '')}.`,
    };
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  const code = (codeText.trim() || fragment.get('code')?.trim() || '').slice(0, 64);
  if (!code)
    return {
      ok: false,
      problem: 'Enter the pairing code (baton pair prints one; so does "Add a device" in the app).',
    };
  const fingerprint = fragment.get('fp')?.trim().slice(0, 200);
  return { ok: true, server: url.origin, code, ...(fingerprint ? { fingerprint } : {}) };
}
