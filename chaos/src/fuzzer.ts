import WebSocket from 'ws';
import { FuzzFrames } from './fuzz-frames.js';

export interface FuzzReport {
  sent: number;
  /** Frames answered by an error frame. */
  errors: number;
  /** Frames answered by something other than an error (a reply, pong or ack): none expected. */
  accepted: string[];
  /** Frames never answered because the connection closed under them, by close code. */
  lostToClose: Record<string, number>;
  connections: number;
}

/**
 * Sends hostile frames over its own connections, a window at a time, and counts the answers:
 * the server must answer every frame with an error and keep the connection open. Each new
 * connection also sends a few frames before its hello (out-of-order protocol steps).
 */
export async function runFuzzer(options: {
  wsUrl: string;
  token: string;
  seed: number;
  maxFrameBytes: number;
  frames: number;
  window: number;
  deadlineMs: number;
}): Promise<FuzzReport> {
  const gen = new FuzzFrames(options.seed, options.maxFrameBytes);
  const report: FuzzReport = { sent: 0, errors: 0, accepted: [], lostToClose: {}, connections: 0 };
  const deadline = Date.now() + options.deadlineMs;

  while (report.sent < options.frames && Date.now() < deadline) {
    // While the server is down (killed on purpose) do not spin on refused connections.
    if (report.connections > 0) await new Promise((r) => setTimeout(r, 50));
    report.connections++;
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(options.wsUrl, {
        perMessageDeflate: false,
        maxPayload: 64 * 1024 * 1024,
      });
      let sentHere = 0;
      let answeredHere = 0;
      let welcomed = false;
      const pump = () => {
        while (
          welcomed &&
          ws.readyState === WebSocket.OPEN &&
          report.sent < options.frames &&
          sentHere - answeredHere < options.window
        ) {
          const frame = gen.next();
          ws.send(frame.data);
          sentHere++;
          report.sent++;
        }
        if (report.sent >= options.frames && answeredHere === sentHere) ws.close(1000);
      };
      ws.on('open', () => {
        for (let i = 0; i < 3; i++) {
          ws.send(
            JSON.stringify({
              type: 'fetch',
              rid: i,
              sessionId: gen.unknownSessionId(),
              afterSeq: 0,
            }),
          );
          sentHere++;
          report.sent++;
        }
        ws.send(JSON.stringify({ type: 'hello', v: 1, token: options.token, mode: 'headless' }));
      });
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string };
        if (frame.type === 'welcome') {
          welcomed = true;
        } else if (frame.type === 'error') {
          answeredHere++;
          report.errors++;
        } else if (frame.type === 'reply' || frame.type === 'pong' || frame.type === 'ack') {
          answeredHere++;
          if (report.accepted.length < 20) report.accepted.push(String(data).slice(0, 200));
        }
        pump();
      });
      ws.on('error', () => {});
      ws.on('close', (code) => {
        const lost = sentHere - answeredHere;
        if (lost > 0) report.lostToClose[code] = (report.lostToClose[code] ?? 0) + lost;
        resolve();
      });
      const guard = setInterval(() => {
        if (Date.now() > deadline) ws.terminate();
      }, 500);
      ws.once('close', () => clearInterval(guard));
    });
  }
  return report;
}
