import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveIpc, signalReady } from '../ipc.js';
import { statsHandlers } from './server-stats.js';

/**
 * The floor: raw `ws` room broadcast with no storage, no ids and no acknowledgements. A frame
 * `{t:'sub', r}` joins room r; `{t:'in', r, text}` is broadcast to every member as
 * `{t:'ev', r, text}`.
 *
 * By default it uses the same two send techniques as baton, so that the ratio to it measures
 * what baton's storage and protocol cost and nothing else:
 * - each broadcast frame is encoded to UTF-8 bytes once, and that one Buffer is sent to every
 *   member (`ws` then only adds a frame header per member);
 * - every frame sent to a connection within one event-loop iteration leaves in one write: the
 *   TCP socket is corked at the first send and uncorked in `setImmediate`, after every frame read
 *   in the same poll phase has been broadcast. baton does the same: its group commit gathers the
 *   appends of one poll phase (`setImmediate` in the log writer) and fans the batch out at once,
 *   corked.
 *
 * `--naive` turns both off: the JSON string is handed to every member's `send` (each call encodes
 * it again) and each frame is its own system call. That variant exists only to show what the two
 * techniques are worth; it is never the floor.
 */
const { values } = parseArgs({ options: { naive: { type: 'boolean', default: false } } });
const naive = values.naive;

const rooms = new Map<string, Set<WebSocket>>();
const corked = new WeakSet<WebSocket>();
const http = createServer();
const wss = new WebSocketServer({ server: http, maxPayload: 1024 * 1024 });

/** Corks the member's TCP socket until this loop iteration's I/O is done (`ws` keeps it in `_socket`). */
function corkUntilNextIteration(member: WebSocket): void {
  if (corked.has(member)) return;
  const socket = (member as unknown as { _socket?: Socket })._socket;
  if (!socket || typeof socket.cork !== 'function') return;
  corked.add(member);
  socket.cork();
  setImmediate(() => {
    corked.delete(member);
    socket.uncork();
  });
}

function broadcast(room: string, text: string): void {
  const json = JSON.stringify({ t: 'ev', r: room, text });
  const members = rooms.get(room) ?? [];
  if (naive) {
    for (const member of members) member.send(json);
    return;
  }
  const bytes = Buffer.from(json, 'utf8');
  for (const member of members) {
    if (member.readyState !== member.OPEN) continue;
    corkUntilNextIteration(member);
    // A Buffer is sent as a text frame: the bytes are already UTF-8 JSON.
    member.send(bytes, { binary: false });
  }
}

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
      broadcast(msg.r, msg.text);
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
