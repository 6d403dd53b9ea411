import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { serveIpc, signalReady } from '../ipc.js';
import { statsHandlers } from './server-stats.js';

/**
 * What a developer would otherwise build: Socket.IO 4 rooms with connection-state recovery on,
 * so a client that drops and returns within two minutes gets the packets it missed (kept in
 * memory, not durable). `sub` joins a room; `in` broadcasts to it and acknowledges the sender.
 */
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  maxHttpBufferSize: 1024 * 1024,
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true },
});

io.on('connection', (socket) => {
  socket.on('sub', (room: unknown, ack: unknown) => {
    if (typeof room !== 'string') return;
    void socket.join(room);
    if (typeof ack === 'function') ack(true);
  });
  socket.on('in', (room: unknown, text: unknown, ack: unknown) => {
    if (typeof room !== 'string' || typeof text !== 'string') return;
    io.to(room).emit('ev', room, text);
    if (typeof ack === 'function') ack(true);
  });
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  serveIpc({ ...statsHandlers(), stop: () => process.exit(0) });
  signalReady({ url: `http://127.0.0.1:${port}`, port });
});
