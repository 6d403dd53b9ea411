import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveIpc, signalReady } from '../ipc.js';
import { statsHandlers } from './server-stats.js';

/**
 * The floor: raw `ws` room broadcast with no storage, no ids and no acknowledgements. A frame
 * `{t:'sub', r}` joins room r; `{t:'in', r, text}` is serialized once and sent to every member.
 */
const rooms = new Map<string, Set<WebSocket>>();
const http = createServer();
const wss = new WebSocketServer({ server: http, maxPayload: 1024 * 1024 });

wss.on('connection', (socket) => {
  const joined = new Set<string>();
  socket.on('message', (data) => {
    let msg: { t?: unknown; r?: unknown; text?: unknown };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.r !== 'string') return;
    if (msg.t === 'sub') {
      let room = rooms.get(msg.r);
      if (!room) rooms.set(msg.r, (room = new Set()));
      room.add(socket);
      joined.add(msg.r);
      socket.send(JSON.stringify({ t: 'subscribed', r: msg.r }));
    } else if (msg.t === 'in' && typeof msg.text === 'string') {
      const frame = JSON.stringify({ t: 'ev', r: msg.r, text: msg.text });
      for (const member of rooms.get(msg.r) ?? []) member.send(frame);
    }
  });
  socket.on('close', () => {
    for (const r of joined) rooms.get(r)?.delete(socket);
  });
  socket.on('error', () => {});
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  serveIpc({ ...statsHandlers(), stop: () => process.exit(0) });
  signalReady({ url: `ws://127.0.0.1:${port}/`, port });
});
