import type { IncomingMessage } from 'node:http';
import QRCode from 'qrcode';

/**
 * The web app's origin as the device asking for a handoff link sees it: the `Origin` header the
 * browser sent (the app's own origin, also behind a reverse proxy), or else the Host header the
 * router already validated, with the scheme of the connection.
 */
export function requestOrigin(req: IncomingMessage): string {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    try {
      const url = new URL(origin);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // a malformed Origin falls back to Host
    }
  }
  const secure = 'encrypted' in req.socket && req.socket.encrypted === true;
  return `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

/**
 * The link that opens the web app on the session and redeems the token there. The token is in
 * the fragment, which browsers never send to a server or put in a Referer header.
 */
export function handoffUrl(origin: string, sessionId: string, token: string): string {
  return `${origin}/s/${encodeURIComponent(sessionId)}#handoff=${encodeURIComponent(token)}`;
}

/** The link as an SVG QR code (error correction M: a phone camera reads it off a screen). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
