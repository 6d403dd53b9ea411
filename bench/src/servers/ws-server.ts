import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeTextFrames } from '@baton/server';
import { serveIpc, signalReady } from '../ipc.js';
import { statsHandlers } from './server-stats.js';

/**
 * The floor: raw `ws` room broadcast with no storage, no ids and no acknowledgements. A frame
 * `{t:'sub', r, after?}` joins room r; `{t:'in', r, text}` is broadcast to every member as
 * `{t:'ev', r, s, text}`, where `s` numbers the room's broadcasts from 1.
 *
 * Each room keeps its last `KEPT_FRAMES` broadcast frames in memory, encoded, so a device that
 * was cut can resume: `sub` with `after: s` is sent every kept frame after `s` (encoded already,
 * all in one write) and then the live ones. That is the fair floor for the reconnect storm and
 * catch-up: the same resume with nothing stored on disk, nothing validated, no presence. A resume
 * from before the kept window gets what is kept, and the device sees the gap.
 *
 * By default it uses the same send techniques as baton, so that the ratio to it measures what
 * baton's storage and protocol cost and nothing else:
 * - each broadcast frame is encoded to UTF-8 bytes once;
 * - the frames a room broadcasts within one event-loop iteration are gathered and sent in
 *   `setImmediate`, after every frame read in the same poll phase: encoded once as WebSocket
 *   frames into one buffer, which is written to every member, every member's frames in one
 *   write. baton does the same: its group commit gathers the appends of one poll phase
 *   (`setImmediate` in the log writer), and a commit's events are encoded once into one buffer
 *   written to every live subscriber (hub/commit-frames.ts).
 *
 * `--naive` turns these off: the JSON string is handed to every member's `send` (each call
 * encodes it again) and each frame is its own system call. That variant exists only to show what
 * the techniques are worth; it is never the floor.
 *
 * `--store FILE` is the stored floor: the least a server must do to deliver only what it has
 * stored. Every broadcast frame is inserted into one SQLite table (WAL, `synchronous=NORMAL`,
 * the pragmas of baton's durability normal), the frames of one event-loop
 * iteration in one transaction (baton's group commit), and only after the commit are they sent.
 * It keeps no input ids, so it dedupes nothing, validates nothing and has no presence: a lower
 * bound for baton's seed rows, never a peer. Automatic checkpoints are off for the run (baton
 * checkpoints in a worker thread, off its event loop), so the floor pays none on its loop.
 */
const { values } = parseArgs({
  options: {
    naive: { type: 'boolean', default: false },
    store: { type: 'string' },
  },
});
const naive = values.naive;
const store = values.store === undefined ? undefined : openStore(values.store);

/** Enough for the catch-up scenario's 10,000 missed messages; bounded so memory stays flat. */
const KEPT_FRAMES = 20_000;

interface Room {
  members: Set<WebSocket>;
  /** The kept frames; `kept[i]` has `s = first + i`. */
  kept: Buffer[];
  first: number;
  /** The last `s` broadcast. */
  head: number;
}

const rooms = new Map<string, Room>();
const http = createServer();
const wss = new WebSocketServer({ server: http, maxPayload: 1024 * 1024 });

/** A WebSocket's TCP socket: `ws` keeps it in `_socket`. */
function tcpOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

function roomOf(name: string): Room {
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = { members: new Set(), kept: [], first: 1, head: 0 }));
  return room;
}

interface StoredFloor {
  /** Frames stored by the next commit, sent after it, in arrival order. */
  pending: { room: Room; name: string; s: number; bytes: Buffer }[];
  commit(frames: StoredFloor['pending']): void;
}

function openStore(file: string): StoredFloor {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec(
    'CREATE TABLE IF NOT EXISTS frames (room TEXT NOT NULL, s INTEGER NOT NULL, frame BLOB NOT NULL, PRIMARY KEY (room, s)) WITHOUT ROWID',
  );
  const insert = db.prepare('INSERT INTO frames (room, s, frame) VALUES (?, ?, ?)');
  const commit = db.transaction((frames: StoredFloor['pending']) => {
    for (const f of frames) insert.run(f.name, f.s, f.bytes);
  });
  return { pending: [], commit };
}

/**
 * The stored floor's group commit: every frame of this loop iteration in one transaction, then
 * each sent to its room, every member's frames leaving in one write. better-sqlite3 commits
 * synchronously, so nothing runs between the commit and the sends.
 */
function flushStored(floor: StoredFloor): void {
  const frames = floor.pending;
  floor.pending = [];
  floor.commit(frames);
  const byRoom = new Map<Room, Buffer[]>();
  for (const f of frames) {
    // Kept for resumes only once stored, and sent below in the same synchronous stretch: a
    // resume never sees a frame the live send would repeat.
    keep(f.room, f.bytes);
    addToRoom(byRoom, f.room, f.bytes);
  }
  sendRooms(byRoom);
}

/** Appends `bytes` to its room's frames, in arrival order. */
function addToRoom(byRoom: Map<Room, Buffer[]>, room: Room, bytes: Buffer): void {
  const frames = byRoom.get(room);
  if (frames) frames.push(bytes);
  else byRoom.set(room, [bytes]);
}

/** Sends each room's frames (`sendToRoom`), every member's socket uncorked once at the end. */
function sendRooms(byRoom: ReadonlyMap<Room, readonly Buffer[]>): void {
  const touched = new Set<Socket>();
  for (const [room, frames] of byRoom) sendToRoom(room, frames, touched);
  for (const socket of touched) socket.uncork();
}

/**
 * The frames of one room in one loop iteration, encoded once as WebSocket frames and that one
 * buffer written to every member, as baton writes a commit's events (hub/commit-frames.ts).
 * Written below `ws` on its socket, which keeps their order with what `ws` sends: without
 * permessage-deflate (off here) `ws` writes each frame to the socket at once.
 */
function sendToRoom(room: Room, frames: readonly Buffer[], touched: Set<Socket>): void {
  const encoded = encodeTextFrames(frames);
  for (const member of room.members) {
    if (member.readyState !== member.OPEN) continue;
    const socket = tcpOf(member);
    if (!socket) continue;
    if (!touched.has(socket)) {
      touched.add(socket);
      socket.cork();
    }
    socket.write(encoded);
  }
}

/** The frames broadcast in this loop iteration, per room in arrival order (not stored). */
const pendingByRoom = new Map<Room, Buffer[]>();

/** Sends this iteration's frames, each room's encoded once, every member's in one write. */
function flushPending(): void {
  sendRooms(pendingByRoom);
  pendingByRoom.clear();
}

function broadcast(name: string, text: string): void {
  const room = roomOf(name);
  const s = ++room.head;
  const json = JSON.stringify({ t: 'ev', r: name, s, text });
  const bytes = Buffer.from(json, 'utf8');
  if (store) {
    if (store.pending.length === 0) setImmediate(() => flushStored(store));
    store.pending.push({ room, name, s, bytes });
    return;
  }
  keep(room, bytes);
  if (naive) {
    for (const member of room.members) member.send(json);
    return;
  }
  if (pendingByRoom.size === 0) setImmediate(flushPending);
  addToRoom(pendingByRoom, room, bytes);
}

/** Keeps a broadcast frame for resumes, trimmed in halves: one splice per KEPT_FRAMES broadcasts. */
function keep(room: Room, bytes: Buffer): void {
  room.kept.push(bytes);
  if (room.kept.length > 2 * KEPT_FRAMES) {
    const drop = room.kept.length - KEPT_FRAMES;
    room.kept.splice(0, drop);
    room.first += drop;
  }
}

wss.on('connection', (socket) => {
  const joined = new Set<string>();
  socket.on('message', (data) => {
    let msg: { t?: unknown; r?: unknown; text?: unknown; after?: unknown };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.r !== 'string') return;
    if (msg.t === 'sub') {
      const room = roomOf(msg.r);
      // Replay and join in one synchronous stretch: no broadcast can fall between them.
      if (typeof msg.after === 'number') {
        const from = Math.max(0, msg.after + 1 - room.first);
        const raw = tcpOf(socket);
        // As baton replays a page: the frames, encoded already, leave as one buffer in one
        // write. Nothing is queued in `ws` yet for a socket that has just subscribed.
        if (from < room.kept.length && raw) raw.write(encodeTextFrames(room.kept.slice(from)));
      }
      room.members.add(socket);
      joined.add(msg.r);
      socket.send(JSON.stringify({ t: 'subscribed', r: msg.r, head: room.head }));
    } else if (msg.t === 'in' && typeof msg.text === 'string') {
      broadcast(msg.r, msg.text);
    }
  });
  socket.on('close', () => {
    for (const r of joined) rooms.get(r)?.members.delete(socket);
  });
  socket.on('error', () => {});
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  serveIpc({ ...statsHandlers(), stop: () => process.exit(0) });
  signalReady({ url: `ws://127.0.0.1:${port}/`, port });
});
