import { io, type Socket } from 'socket.io-client';
import type { ClientSpec, Connection, ConnectionEvents } from './connection.js';

function noop(): void {}

/**
 * A Socket.IO client. Each has its own Manager (its own TCP connection). Reconnection is driven
 * by the load generator so a storm starts at a known instant; connection-state recovery restores
 * the rooms and replays missed packets when the server still has them.
 */
export class SocketIoConnection implements Connection {
  readonly anomalies: string[] = [];
  private readonly socket: Socket;

  constructor(
    url: string,
    private readonly spec: ClientSpec,
    events: ConnectionEvents,
  ) {
    this.socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    this.socket.on('ev', (_room: string, text: string) => events.onText(text));
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => {
        this.socket.off('connect', onConnect);
        reject(e);
      };
      const onConnect = () => {
        this.socket.off('connect_error', onError);
        resolve();
      };
      this.socket.once('connect', onConnect);
      this.socket.once('connect_error', onError);
      this.socket.connect();
    });
  }

  private async join(): Promise<void> {
    if (!this.spec.subscribe) return;
    await this.socket.timeout(30_000).emitWithAck('sub', this.spec.room);
  }

  async open(): Promise<void> {
    await this.connect();
    await this.join();
  }

  submit(_msgId: string, text: string): void {
    // With an acknowledgement, as baton acknowledges every input.
    this.socket.emit('in', this.spec.room, text, noop);
  }

  cut(): void {
    // Closing the engine (not the socket) is a transport failure: the session stays recoverable.
    this.socket.io.engine.close();
  }

  async resume(): Promise<void> {
    await this.connect();
    if (!this.socket.recovered) {
      this.anomalies.push('connection state not recovered');
      await this.join();
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}
