import type { RawData, WebSocket } from 'ws';
import {
  HOST_LINK_VERSION,
  HostLinkClose,
  KEY_PROOF_HOST_LINK_VERSION,
  MIN_HOST_LINK_VERSION,
  STREAM_CATCH_UP_HOST_LINK_VERSION,
  parseHostFrame,
  type HostMessage,
  type RelayMessage,
} from '@baton/protocol';
import { refuseWeakKeys } from '@baton/seal';
import type { DeviceRegistry } from '../auth/device-registry.js';
import type { Logger } from '../logger.js';
import type { HostDirectory } from './host-directory.js';
import { forgetOnConnect } from './deleted-sessions.js';
import { HostLink } from './host-link.js';
import { provesKeyPossession } from './host-key-proof-check.js';
import { HostOutVerifier } from './host-out-verifier.js';
import type { RelaySealing } from './relay-sealing.js';
import { RemoteRunner } from './remote-runner.js';
import { rawText } from '../ws/raw-text.js';

/** How long a host may take to send `host.hello`. */
const HELLO_TIMEOUT_MS = 10_000;

export interface HostLinkDeps {
  directory: HostDirectory;
  devices: DeviceRegistry;
  log: Logger;
  heartbeatMs: number;
  /** Sealed sessions: rosters, wrapped keys, introductions, and the checks of envelopes. */
  sealing?: RelaySealing;
  /** Whether the relay no longer has this session (deleted): a host's `kept` is checked with it. */
  sessionGone(sessionId: string): Promise<boolean>;
}

type LinkFrame = Exclude<HostMessage, { type: 'host.hello' | 'host.reply' }>;

/**
 * Turns an upgraded WebSocket on the host link path into a HostLink once its `host.hello`
 * passes: a known version and the token of an owner device (a host is paired like a device, with
 * an owner pairing code; see docs/relay.md). Anything else is closed with a code and a reason
 * the host prints; the relay and its other hosts go on.
 */
export function acceptHostLink(ws: WebSocket, deps: HostLinkDeps): void {
  const { log } = deps;
  const timer = setTimeout(
    () => refuse(HostLinkClose.Unauthorized, 'unauthorized', 'no host.hello within 10 s'),
    HELLO_TIMEOUT_MS,
  );
  const refuse = (
    code: number,
    errorCode: 'unauthorized' | 'invalid_message' | 'unsupported_version' | 'forbidden',
    message: string,
  ) => {
    clearTimeout(timer);
    const frame: RelayMessage = { type: 'error', error: { code: errorCode, message } };
    ws.send(JSON.stringify(frame));
    ws.close(code, closeReason(message));
  };
  ws.on('error', (err) => log.warn('host link error before hello', { error: err.message }));
  ws.once('message', (data: RawData, isBinary) => {
    clearTimeout(timer);
    const text = isBinary ? '' : rawText(data);
    const parsed = parseHostFrame(text);
    if (!parsed.ok) return refuse(HostLinkClose.BadFrame, 'invalid_message', parsed.error.message);
    const hello = parsed.value;
    if (hello.type !== 'host.hello')
      return refuse(
        HostLinkClose.BadFrame,
        'invalid_message',
        'the first frame must be host.hello',
      );
    if (hello.version < MIN_HOST_LINK_VERSION || hello.version > HOST_LINK_VERSION)
      return refuse(
        HostLinkClose.UnsupportedVersion,
        'unsupported_version',
        `this relay speaks host link versions ${MIN_HOST_LINK_VERSION}–${HOST_LINK_VERSION}, not ${hello.version}; update baton on the host or the relay`,
      );
    const device = deps.devices.authenticate(hello.token);
    if (!device)
      return refuse(
        HostLinkClose.Unauthorized,
        'unauthorized',
        'unknown or revoked host token: pair the host again (baton pair --role owner on the relay, then baton host --relay URL --code CODE)',
      );
    if (device.role !== 'owner')
      return refuse(
        HostLinkClose.Unauthorized,
        'unauthorized',
        `a host must be paired with an owner code; this one is ${device.role}`,
      );
    if (!hello.keys)
      return refuse(
        HostLinkClose.BadFrame,
        'invalid_message',
        'host.hello carries no keys: a version 2 host presents its public keys',
      );
    try {
      // Before anything is pinned: a small-order signing key would make any `out` verify.
      refuseWeakKeys(hello.keys, `host ${device.name}`);
    } catch (err) {
      log.warn('a host presented a weak public key; refused', { host: device.name });
      return refuse(HostLinkClose.BadFrame, 'invalid_message', (err as Error).message);
    }
    let verifier: HostOutVerifier;
    try {
      verifier = new HostOutVerifier(hello.keys);
    } catch (err) {
      return refuse(
        HostLinkClose.BadFrame,
        'invalid_message',
        `host.hello keys.signingKey is not an Ed25519 public key: ${(err as Error).message}`,
      );
    }
    // Proof of possession (version 6). An older host proves nothing, so it may only present
    // keys already pinned for its grant (it registered before proofs existed); a first
    // registration needs the proof. No await from here to `pin`: two racing hellos of one grant
    // must not both pin.
    if (hello.version >= KEY_PROOF_HOST_LINK_VERSION) {
      if (hello.proof === undefined || !provesKeyPossession(hello.token, hello.keys, hello.proof))
        return refuse(
          HostLinkClose.BadFrame,
          'invalid_message',
          'host.hello.proof is missing or not signed by keys.signingKey over the token and keys: the host must hold the private key it registers',
        );
    } else if (deps.directory.pinnedKeys(device.id) === undefined) {
      return refuse(
        HostLinkClose.UnsupportedVersion,
        'unsupported_version',
        `a host's first registration proves it holds its keys (host link version ${KEY_PROOF_HOST_LINK_VERSION}); this host speaks ${hello.version}: update baton on the host`,
      );
    }
    // Pinned under the grant (the device id): a new pairing is a new grant, free to bring keys.
    if (deps.directory.pin(device.id, device.name, hello.keys) === 'other') {
      log.warn('a host presented other keys than the ones pinned for it; refused', {
        host: device.name,
      });
      return refuse(
        HostLinkClose.KeysMismatch,
        'forbidden',
        'this host presents other keys than it registered with: if its identity file was replaced, pair the host again (baton pair --role owner on the relay, then baton host --code CODE)',
      );
    }
    // Version 3 hosts say whether they seal; older ones never do.
    deps.sealing?.hostConnected(device.id, hello.version >= 3 && hello.sealed === true, hello.keys);
    open(ws, device.id, device.name, hello, verifier, deps);
  });
}

/** A WebSocket close reason holds at most 123 bytes of UTF-8 (ws throws past that). */
function closeReason(message: string): string {
  let reason = message.slice(0, 120);
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

function open(
  ws: WebSocket,
  hostId: string,
  name: string,
  hello: { running: readonly string[]; version: number; kept?: readonly string[] | undefined },
  verifier: HostOutVerifier,
  deps: HostLinkDeps,
): void {
  const { directory, log, sealing } = deps;
  const { running } = hello;
  const sealed = sealing?.isSealingHost(hostId) ?? false;
  /** Its `out` frames name the messages they finish, so its sealed fragments can be kept. */
  const keepFragments = hello.version >= STREAM_CATCH_UP_HOST_LINK_VERSION;
  /**
   * A sealing host's frames are checked with WebCrypto, which is asynchronous: each frame waits
   * for the one before it on this chain, so they reach the commit chain (and the wrapped-key
   * store) in the order the host sent them and a later `out` can never be committed before an
   * earlier one. A plaintext host's frames are checked synchronously, as before.
   */
  let chain: Promise<void> = Promise.resolve();
  const link = new HostLink(
    ws,
    hostId,
    name,
    {
      onFrame: (l, frame) => {
        if (!sealed) return handle(l, frame);
        chain = chain
          .then(() => sealedCheck(l, frame))
          .then((forged) => {
            if (forged === undefined) return handle(l, frame);
            log.warn('refused a sealed host frame', {
              host: name,
              type: frame.type,
              error: forged,
            });
            l.refuseFrame(forged);
          })
          .catch((err: unknown) =>
            log.error('a sealed host frame failed', { host: name, error: (err as Error).message }),
          );
      },
      onClose: (l) => {
        log.info('host offline', { host: name });
        directory.disconnected(l);
      },
    },
    log,
    deps.heartbeatMs,
    hello.kept !== undefined,
  );

  /** Why a sealing host's frame is refused (a forgery, or a body in the clear), if it is. */
  async function sealedCheck(l: HostLink, frame: LinkFrame): Promise<string | undefined> {
    if (l.isClosed || !sealing) return 'the link closed';
    switch (frame.type) {
      case 'out':
        return frame.body.kind === 'events'
          ? sealing.checkOut(hostId, frame.sessionId, frame.n, frame.body.events)
          : undefined;
      case 'stream':
        return sealing.checkStream(
          hostId,
          frame.sessionId,
          frame.messageId,
          frame.delta,
          frame.sealed,
        );
      case 'roster':
        return sealing.roster(hostId, frame.roster).then(
          () => {
            sealing.deliver(l, (id) => deps.devices.current(id) === undefined);
            return undefined;
          },
          (err: unknown) => `the roster was refused: ${(err as Error).message}`,
        );
      case 'snapshot':
        return sealing.checkSnapshot(hostId, frame.sessionId, frame.seq, frame.sealed);
      case 'keys':
        return sealing.keys(hostId, frame.sessionId, frame.wrapped).then(
          () => undefined,
          (err: unknown) => `the wrapped keys were refused: ${(err as Error).message}`,
        );
      default:
        return undefined;
    }
  }

  function handle(l: HostLink, frame: LinkFrame): void {
    if (frame.type === 'roster' || frame.type === 'keys') {
      // Applied by sealedCheck; a plaintext host has neither.
      if (!sealed) l.refuseFrame(`a ${frame.type} frame from a host that does not seal`);
      return;
    }
    const bound = directory.runnerOf(hostId, frame.sessionId);
    const runner = bound instanceof RemoteRunner ? bound : undefined;
    switch (frame.type) {
      case 'out': {
        const forged = verifier.check(frame);
        if (forged !== undefined) {
          // Nothing of it is stored or acked; the link closes and only this host's.
          log.warn('refused a host output: bad signature', {
            host: name,
            session: frame.sessionId,
            n: frame.n,
            error: forged,
          });
          l.refuseFrame(forged);
          return;
        }
        if (!runner) {
          // The relay no longer runs that session here (stopped, deleted): nothing to store.
          l.send({ type: 'out.ack', sessionId: frame.sessionId, n: frame.n });
          return;
        }
        runner.commitOut(frame).then(
          (n) => l.send({ type: 'out.ack', sessionId: frame.sessionId, n }),
          (err: unknown) =>
            log.error('could not commit host output', {
              host: name,
              session: frame.sessionId,
              error: (err as Error).message,
            }),
        );
        return;
      }
      case 'stream':
        runner?.stream(
          frame.messageId,
          frame.channel,
          frame.delta,
          frame.sealed ? { envelope: frame.sealed, keep: keepFragments } : undefined,
        );
        return;
      case 'snapshot':
        // Only a sealing host's (verified by sealedCheck); a plaintext session's relay projects.
        if (!sealed) {
          l.refuseFrame('a snapshot frame from a host that does not seal');
          return;
        }
        runner?.hostSnapshot(frame.seq, frame.sealed).catch((err: unknown) =>
          log.warn('could not store a host snapshot', {
            host: name,
            session: frame.sessionId,
            error: (err as Error).message,
          }),
        );
        return;
      case 'read':
        if (!runner) {
          l.send({
            type: 'read.result',
            ref: frame.ref,
            error: {
              code: 'not_found',
              message: `this relay runs no session ${frame.sessionId} on this host`,
            },
          });
          return;
        }
        runner.read(frame.what).then(
          (result) => l.send({ type: 'read.result', ref: frame.ref, result }),
          (err: unknown) =>
            l.send({
              type: 'read.result',
              ref: frame.ref,
              error: { code: 'internal', message: (err as Error).message },
            }),
        );
        return;
    }
  }
  link.send({ type: 'host.welcome', version: HOST_LINK_VERSION, hostId, name });
  directory.connected(link).then(
    (previous) => {
      previous?.close(HostLinkClose.Replaced, 'another link of this host replaced this one');
      log.info('host online', { host: name });
      // What the host still runs but the relay does not (stopped while the host was away).
      for (const sessionId of running)
        if (!directory.runnerOf(hostId, sessionId))
          link.request({ type: 'stop', sessionId }).catch(() => {});
      // What the host still holds of sessions deleted while it was away.
      void forgetOnConnect(link, hello.kept ?? [], deps.sessionGone, log);
      sealing?.deliver(link, (id) => deps.devices.current(id) === undefined);
    },
    (err: unknown) => log.error('could not register a host', { error: (err as Error).message }),
  );
}
