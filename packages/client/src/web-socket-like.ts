/**
 * The part of the WHATWG WebSocket the SDK uses. Browsers' `WebSocket` and Node's `ws` package
 * both satisfy it, so the same client code runs in both.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string; wasClean?: boolean }) => void,
  ): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

/** A WebSocket constructor: the browser's global `WebSocket`, or `WebSocket` from `ws` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` value of an open socket (the same in browsers and `ws`). */
export const WS_OPEN = 1;

/** `readyState` value of a closed socket (the same in browsers and `ws`). */
export const WS_CLOSED = 3;

/** The global `WebSocket`, when the platform has one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}
