import type { IncomingMessage } from 'node:http';
import { BatonError } from '../baton-error.js';

/**
 * Reads a request body of at most `maxBytes`, handing each part to `onPart` as it arrives. A
 * declared Content-Length over the limit is refused before a byte is read, and a body that grows
 * past it is refused as soon as it does, so no more than `maxBytes` is ever held. Either way the
 * request is paused, not destroyed: the route answers 413 after `drainRefusedBody`, so that the
 * client reads that answer rather than a broken pipe. A client that goes away mid-body rejects
 * with `bad_request`: nobody is left to read the answer, and it is no failure of the server's.
 */
export function readRequestBody(
  req: IncomingMessage,
  maxBytes: number,
  tooLarge: (declared?: number) => BatonError,
  onPart: (part: Buffer) => void,
): Promise<number> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(declared));
  const gone = () =>
    new BatonError('bad_request', 'the client closed the request before its body ended');
  if (req.readableEnded) return Promise.resolve(0);
  // Its 'close' has been and gone: no listener added now would ever run.
  if (req.destroyed) return Promise.reject(gone());
  return new Promise((resolve, reject) => {
    let size = 0;
    const finish = (outcome: () => void) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      outcome();
    };
    const onData = (part: Buffer) => {
      size += part.length;
      if (size > maxBytes) {
        req.pause();
        finish(() => reject(tooLarge()));
        return;
      }
      onPart(part);
    };
    const onEnd = () => finish(() => resolve(size));
    const onClose = () => finish(() => reject(gone()));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}

/** The most of a refused body read and thrown away before the connection is closed anyway. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
/** A client that sends nothing for this long is waiting for the answer: it gets it. */
const DRAIN_IDLE_MS = 1_000;

/**
 * Reads and discards the rest of a body refused as too large, before the refusal is sent. An
 * HTTP client still sending when the server closes the connection gets EPIPE or a reset, not the
 * answer (fetch says only "fetch failed"). Bounded: a body declared or found larger than 64 MiB,
 * or one that pauses for a second (its client waits for the answer), is answered at once, and the
 * answer closes the connection either way.
 */
export function drainRefusedBody(req: IncomingMessage): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (req.readableEnded || req.destroyed || !(declared <= DRAIN_MAX_BYTES))
    return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    let timer = setTimeout(() => done(), DRAIN_IDLE_MS);
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      req.pause();
      resolve();
    };
    const onData = (part: Buffer) => {
      seen += part.length;
      if (seen > DRAIN_MAX_BYTES) return done();
      clearTimeout(timer);
      timer = setTimeout(done, DRAIN_IDLE_MS);
    };
    req.on('data', onData);
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    req.resume();
  });
}
