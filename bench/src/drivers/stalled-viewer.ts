import WebSocket from 'ws';

/**
 * A baton viewer that attaches to a session and then stops reading: its socket is paused, so the
 * server's writes to it pile up in kernel buffers and then in the server's send queue. Used to
 * measure what one stalled device costs everyone else (the server must cut it, not wait for it).
 */
export class StalledViewer {
  private constructor(private readonly ws: WebSocket) {}

  /** Whether the server has closed the connection (as a slow consumer, or otherwise). */
  closedByServer = false;

  static async open(url: string, token: string, sessionId: string): Promise<StalledViewer> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const viewer = new StalledViewer(ws);
    ws.on('close', () => (viewer.closedByServer = true));
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () =>
        ws.send(JSON.stringify({ type: 'hello', v: 2, token, mode: 'headless' })),
      );
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; rid?: number };
        if (frame.type === 'welcome') {
          ws.send(JSON.stringify({ type: 'subscribe', rid: 1, sessionId, afterSeq: 0 }));
        } else if (frame.type === 'reply' && frame.rid === 1) {
          ws.pause();
          resolve();
        } else if (frame.type === 'error') {
          reject(new Error(`stalled viewer: ${String(data).slice(0, 200)}`));
        }
      });
    });
    ws.removeAllListeners('error');
    ws.on('error', () => {});
    return viewer;
  }

  close(): void {
    this.ws.terminate();
  }
}
