import type { Socket } from 'node:net';

/**
 * The sockets corked in this tick, uncorked together when it ends: every frame written to one of
 * them meanwhile (a commit's events, the acknowledgements that follow them, a presence delta)
 * leaves in one write per socket instead of one system call per frame.
 *
 * One `process.nextTick` serves all of them. A commit fanned out to a thousand subscribers corks
 * a thousand sockets, and a callback of its own for each was a measurable part of that fan-out
 * (docs/benchmarks.md, "A thousand sockets uncorked at once").
 *
 * "This tick" leans on Node's order: `nextTick` callbacks run as soon as the current callback
 * returns, before any I/O is read, so nothing written in one stretch of synchronous work waits
 * for more input. A socket corked while the flush runs (a write from inside another socket's
 * uncork) is uncorked by the next flush, scheduled then.
 */
let corked = new Set<Socket>();

export function corkForThisTick(socket: Socket): void {
  if (corked.has(socket)) return;
  socket.cork();
  if (corked.size === 0) process.nextTick(uncorkAll);
  corked.add(socket);
}

function uncorkAll(): void {
  const sockets = corked;
  corked = new Set();
  // A socket destroyed since it was corked takes the uncork as a no-op, and a write error comes
  // later as the socket's own 'error'. Should an uncork throw all the same, that one connection
  // ends: the others in the set are still uncorked, as each was by a callback of its own.
  for (const socket of sockets) {
    try {
      socket.uncork();
    } catch (err) {
      socket.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
