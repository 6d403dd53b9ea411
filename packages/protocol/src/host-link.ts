import { z } from 'zod';
import { ErrorCode } from './error-code.js';
import { SessionId, Seq } from './ids.js';
import { PermissionDecision } from './input-payload.js';
import {
  IntroductionShape,
  SealedEnvelopeShape,
  SignedRosterShape,
  WrappedKeyShape,
} from './sealed.js';
import { SessionKind, SessionStatus } from './session.js';

/**
 * The host link: the one WebSocket a `baton host` opens to a relay (docs/relay.md). The relay
 * orders, dedupes and stores; the host runs the runners. Every frame is validated on arrival;
 * a frame that fails closes that host's link alone.
 *
 * Versioning: `HOST_LINK_VERSION` travels in `host.hello`; the relay accepts
 * [MIN_HOST_LINK_VERSION, HOST_LINK_VERSION] and answers `host.welcome` with the version it
 * speaks. A change a peer can ignore (a new optional field) keeps the version; anything else
 * bumps it. History:
 * - 1: first version (hello/welcome, runner start/stop, input, interrupt, resize, permission
 *      answers, settings, out (events and status) with acks, stream deltas, reads, resume).
 * - 2: host identities: `host.hello` carries the host's public keys (`keys`), which the relay
 *      pins under the host's grant, and every `out` carries the host's Ed25519 signature
 *      (`sig`, docs/relay.md "Signed host output"). Not additive: a version 1 host signs
 *      nothing, so a relay that checks signatures cannot take its output; it is refused with
 *      `unsupported_version` and told to update.
 * - 3: sealed sessions (docs/protocol.md, "Sealed sessions"): `host.hello.sealed` (the host
 *      seals its sessions; absent or false for `baton host --plaintext`), host → relay `roster`
 *      and `keys`, relay → host `intro` and `device.revoked`, and `stream.sealed`. A sealing host
 *      sends frames a version 2 relay refuses, so it is a bump; a version 2 host still connects
 *      and its sessions are plaintext, as before.
 * - 4: host-made sealed snapshots (docs/protocol.md, "Sealed snapshots"): host → relay
 *      `snapshot`. A version 3 relay would close the link on it (an unknown frame), so a host
 *      sends it only when the relay's `host.welcome` says 4 or more; a version 3 host still
 *      connects, and its sealed sessions keep their whole log (late joiners replay it).
 * - 5: sealed replies in progress for joiners (docs/protocol.md, "Sealed sessions" → "Stream
 *      fragments"): a sealing host's `out` names, in `finishes`, the streamed messages whose
 *      final events it carries, and the relay keeps a sealed session's fragments until then, to
 *      send them to a device that subscribes mid-reply. The relay keeps fragments only of a
 *      version 5 host (without `finishes` it could not tell when to forget them); a version 4
 *      host still connects, and its joiners see a reply when its event is stored. A host sends
 *      `finishes` only to a relay that welcomed it with 5 or more.
 * - 6: proof of possession (docs/protocol.md, "Host keys"): `host.hello.proof`, the host's
 *      Ed25519 signature over its token and both public keys, required from version 6. A host
 *      of version 2–5 sends none: the relay still accepts it when its grant already has pinned
 *      keys and it presents those (it registered before proofs existed), and refuses a first
 *      registration without a proof with `unsupported_version` (update baton on the host). The
 *      relay also refuses weak keys (small or low order, non-canonical) from every version.
 *   Additive in 6: deleted sessions leave their host (docs/relay.md, "Deleting a session"):
 *   `host.hello.kept`, the sessions the host holds anything of, and relay → host `forget`. A
 *   host without `forget` would close the link on it (an unknown frame), so the relay sends it
 *   only to a host whose hello carried `kept`, which says it knows `forget`; a relay without it
 *   ignores `kept` (a field it does not know) and the host keeps deleted sessions' files.
 */
export const HOST_LINK_VERSION = 6;
/** The first host link version whose `host.hello` proves possession of its keys (`proof`). */
export const KEY_PROOF_HOST_LINK_VERSION = 6;
/** The first host link version that carries `snapshot` frames. */
export const SNAPSHOT_HOST_LINK_VERSION = 4;
/** The first host link version whose `out` frames say which streamed messages they finish. */
export const STREAM_CATCH_UP_HOST_LINK_VERSION = 5;
export const MIN_HOST_LINK_VERSION = 2;
/** The most sessions a `host.hello` names in `kept`. */
export const MAX_KEPT_SESSIONS = 10_000;
/** The WebSocket path hosts connect to. */
export const HOST_LINK_PATH = '/v1/host';

/** A request number, unique per direction per link, that a `host.reply` / `relay.reply` names. */
const Ref = z.number().int().nonnegative();
const ErrorBody = z.object({ code: ErrorCode, message: z.string().max(4096) });
/** An event as a runner makes it; the relay checks each with the runner contract before storing. */
const RunnerEventBody = z.object({ type: z.string().min(1).max(100), data: z.unknown() });
const Config = z.record(z.string(), z.unknown());
/** Raw 32-byte keys and 64-byte signatures, in unpadded base64url. */
const Base64url = (length: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'unpadded base64url')
    .length(Math.ceil((length * 4) / 3));

/** A host's public keys (its identity, made at its first start and kept in its data directory). */
export const HostKeys = z.object({
  /** Ed25519: signs every `out` frame. */
  signingKey: Base64url(32),
  /** X25519: what session keys will be wrapped to. */
  agreementKey: Base64url(32),
});
export type HostKeys = z.infer<typeof HostKeys>;

// ---- host → relay ------------------------------------------------------------------------

/** The first frame: the host's credential (a device token paired with an owner code). */
export const HostHello = z.object({
  type: z.literal('host.hello'),
  version: z.number().int().positive(),
  token: z.string().min(1).max(512),
  /**
   * The sessions whose runners run on the host now (kept across a lost link): the relay stops
   * those it no longer runs and starts the others again with `resume`.
   */
  running: z.array(SessionId).max(10_000),
  /**
   * The host's public keys (version 2; optional in the schema only so that a version 1 hello
   * still parses and gets the `unsupported_version` answer). The relay pins them at the first
   * registration under the host's token and refuses other keys later (close 4403).
   */
  keys: HostKeys.optional(),
  /**
   * Version 5: the host's Ed25519 signature (64 bytes, base64url) over
   * str("baton-seal/1 host-key-proof") ‖ str(token) ‖ signingKey ‖ agreementKey, so that a host
   * cannot register a public key whose private half it does not hold. Required from version 5.
   */
  proof: Base64url(64).optional(),
  /**
   * Version 3: the host seals every session it runs (its events, stream fragments, and opens
   * the sealed inputs of its devices). Absent or false: plaintext (`baton host --plaintext`).
   */
  sealed: z.boolean().optional(),
  /**
   * The sessions the host holds something of that this relay started on it (under the host's
   * current pairing), at most 10,000 (additive in 6). Its presence says the host knows
   * `forget`: the relay sends it for each of these it no longer has (deleted while the host was
   * away), and for each session deleted while the host is connected.
   */
  kept: z.array(SessionId).max(MAX_KEPT_SESSIONS).optional(),
});

/** The answer to a relay request (`ref`): nothing on success, `error` on failure. */
export const HostReply = z.object({
  type: z.literal('host.reply'),
  ref: Ref,
  error: ErrorBody.optional(),
});

/**
 * What a session's runner made, in the order it made it. `n` counts from 1 per session per
 * host state; the relay stores each `n` once (a resent one after a reconnect is only acked) and
 * acks it with `out.ack` once committed. The host resends every unacked `out` after a reconnect.
 */
export const HostOut = z.object({
  type: z.literal('out'),
  sessionId: SessionId,
  n: z.number().int().positive(),
  body: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('events'), events: z.array(RunnerEventBody).min(1).max(1000) }),
    z.object({
      kind: z.literal('status'),
      status: SessionStatus,
      reason: z.string().max(4096).optional(),
      exitCode: z.number().int().optional(),
      signal: z.number().int().optional(),
    }),
  ]),
  /**
   * The host's Ed25519 signature over `sessionId`, `n` and `body` (docs/relay.md, "Signed host
   * output"), 64 bytes in base64url. Required from version 2: the relay refuses an `out` without
   * a valid one and closes the link (4400), storing nothing of it.
   */
  sig: Base64url(64).optional(),
  /**
   * Version 5, sealed sessions: the message ids of `stream` frames whose final `agent.text` /
   * `agent.thinking` events this `out` carries (their `messageId` is sealed). The relay forgets
   * the fragments it kept of those messages when it commits the `out`. Only ids that streamed:
   * they are in the clear in the fragments already. Not signed: only the relay reads it, for its
   * own memory: a wrong list at worst costs a joiner the text streamed so far, or sends it
   * fragments of a message whose final event it already has (which it ignores).
   */
  finishes: z.array(z.string().min(1).max(200)).max(1000).optional(),
});

/** A volatile streaming fragment (never stored, never acked). */
export const HostStream = z.object({
  type: z.literal('stream'),
  sessionId: SessionId,
  messageId: z.string().min(1).max(200),
  channel: z.enum(['text', 'thinking']),
  delta: z.string().max(1024 * 1024),
  /** Version 3, sealed sessions: the fragment sealed, and `delta` is `""`. */
  sealed: SealedEnvelopeShape.optional(),
});

/**
 * Version 3: the host's newest signed device roster (every device it paired, revocations with
 * their cut-offs). The relay checks its signature with the host's pinned keys, keeps the newest
 * and verifies sealed inputs against it.
 */
export const HostRoster = z.object({ type: z.literal('roster'), roster: SignedRosterShape });

/**
 * Version 3: session keys of one session wrapped to devices (one per device and epoch). The relay
 * stores them for `GET /api/sessions/{id}/keys`; only the addressed device can open one.
 */
export const HostKeysFrame = z.object({
  type: z.literal('keys'),
  sessionId: SessionId,
  wrapped: z.array(WrappedKeyShape).min(1).max(10_000),
});

/**
 * Version 4: the host's snapshot of a sealed session as of `seq` (docs/protocol.md, "Sealed
 * snapshots"): its projection's state sealed as envelope kind `snapshot`, id `snap.<seq>`,
 * author the host. The relay verifies it with public keys only and keeps it as the session's
 * snapshot (a newer one replaces it); late joiners get it, and compaction may drop the events
 * at or below `seq`. Not acked: a lost one is made again later.
 */
export const HostSnapshot = z.object({
  type: z.literal('snapshot'),
  sessionId: SessionId,
  seq: Seq,
  sealed: SealedEnvelopeShape,
});

/** A runner reads its session's stored state (resuming an agent, a message's attachment). */
export const HostRead = z.object({
  type: z.literal('read'),
  ref: Ref,
  sessionId: SessionId,
  what: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('events'),
      afterSeq: Seq,
      limit: z.number().int().positive().max(1000),
    }),
    z.object({ kind: z.literal('snapshot') }),
    z.object({ kind: z.literal('attachment'), id: z.string().min(1).max(200) }),
  ]),
});

export const HostMessage = z.discriminatedUnion('type', [
  HostHello,
  HostReply,
  HostOut,
  HostStream,
  HostRead,
  HostRoster,
  HostKeysFrame,
  HostSnapshot,
]);
export type HostMessage = z.infer<typeof HostMessage>;

// ---- relay → host ------------------------------------------------------------------------

export const RelayWelcome = z.object({
  type: z.literal('host.welcome'),
  version: z.number().int().positive(),
  hostId: z.string(),
  name: z.string(),
});

/**
 * Start (or keep) a session's runner. `resume` is set when the relay starts it again after a
 * reconnect: a host that still runs it keeps it; one that restarted starts it afresh. The
 * highest `out.n` the relay committed for the session is `outAcked`, so a restarted host
 * numbers on after it.
 */
export const RelayStart = z.object({
  type: z.literal('start'),
  ref: Ref,
  sessionId: SessionId,
  kind: SessionKind,
  config: Config,
  resume: z.boolean(),
  outAcked: z.number().int().nonnegative(),
});

/**
 * One committed input, in log order. The host takes each `seq` once (a resent one is answered
 * without handing it over again) and answers once its runner took it.
 */
export const RelayInput = z.object({
  type: z.literal('input'),
  ref: Ref,
  sessionId: SessionId,
  event: z.object({
    seq: Seq,
    ts: z.number(),
    type: z.literal('input'),
    data: z.record(z.string(), z.unknown()),
  }),
  /** The author device's name, for telling an agent who said what. */
  authorName: z.string().max(200).optional(),
});

export const RelayInterrupt = z.object({
  type: z.literal('interrupt'),
  ref: Ref,
  sessionId: SessionId,
  deviceId: z.string().optional(),
});

export const RelayResize = z.object({
  type: z.literal('resize'),
  sessionId: SessionId,
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});

export const RelayPermission = z.object({
  type: z.literal('permission'),
  ref: Ref,
  sessionId: SessionId,
  requestId: z.string().min(1).max(200),
  answer: PermissionDecision,
  deviceId: z.string(),
});

export const RelaySettings = z.object({
  type: z.literal('settings'),
  ref: Ref,
  sessionId: SessionId,
  change: z.object({
    model: z.string().max(200).optional(),
    permissionMode: z.string().max(100).optional(),
  }),
  deviceId: z.string(),
});

export const RelayStop = z.object({ type: z.literal('stop'), ref: Ref, sessionId: SessionId });

/**
 * The session was deleted (additive in 6; sent only to a host whose hello carried `kept`). The
 * host stops its runner if it runs and deletes what it holds of it: its folder (the files
 * handed to its agent), the inputs its runners took, and a sealed session's keys. Answered once
 * that is done; forgetting a session the host does not know is no error.
 */
export const RelayForget = z.object({
  type: z.literal('forget'),
  ref: Ref,
  sessionId: SessionId,
});

/** `out` number `n` of the session is committed (and every one before it). */
export const RelayOutAck = z.object({
  type: z.literal('out.ack'),
  sessionId: SessionId,
  n: z.number().int().positive(),
});

/** The answer to a host's `read`. */
export const RelayReadResult = z.object({
  type: z.literal('read.result'),
  ref: Ref,
  result: z.unknown().optional(),
  error: ErrorBody.optional(),
});

/**
 * Version 3: a device that redeemed the host's pairing code `code` introduces its keys. The host
 * answers (`host.reply`) once it accepted or refused it; the relay keeps it until then, across
 * restarts and lost links.
 */
export const RelayIntro = z.object({
  type: z.literal('intro'),
  ref: Ref,
  deviceId: z.string().min(1).max(256),
  /** The code, when the device said which it redeemed; otherwise the host tries each it holds. */
  code: z.string().min(1).max(64).optional(),
  introduction: IntroductionShape,
});

/**
 * Version 3: the relay's owner revoked a device (`baton devices revoke`). The host revokes it in
 * its registry, rotates every session key and publishes the new roster and wraps.
 */
export const RelayDeviceRevoked = z.object({
  type: z.literal('device.revoked'),
  ref: Ref,
  deviceId: z.string().min(1).max(256),
});

/** Sent before the relay closes the link for a reason the host should log. */
export const RelayError = z.object({ type: z.literal('error'), error: ErrorBody });

export const RelayMessage = z.discriminatedUnion('type', [
  RelayWelcome,
  RelayStart,
  RelayInput,
  RelayInterrupt,
  RelayResize,
  RelayPermission,
  RelaySettings,
  RelayStop,
  RelayForget,
  RelayOutAck,
  RelayReadResult,
  RelayError,
  RelayIntro,
  RelayDeviceRevoked,
]);
export type RelayMessage = z.infer<typeof RelayMessage>;

/** Close codes of the host link (the WebSocket close code carries them). */
export const HostLinkClose = {
  /** A frame failed validation: the host has a bug or speaks another version. */
  BadFrame: 4400,
  /** The token is missing, unknown, revoked or not an owner's. */
  Unauthorized: 4401,
  /** The host's version is outside what the relay speaks. */
  UnsupportedVersion: 4406,
  /**
   * The host presented other public keys than the ones the relay pinned at its first
   * registration (its identity file was replaced, or the token is used elsewhere): pair the
   * host again, which makes a new grant that may register new keys.
   */
  KeysMismatch: 4403,
  /** Another link of the same host replaced this one. */
  Replaced: 4409,
} as const;
