import { z } from 'zod';

/**
 * Sealed sessions on the wire (docs/protocol.md, "Sealed sessions"). The envelope's bytes and
 * checks belong to @baton/seal; this is its shape only, mirrored here so that the protocol
 * package validates frames without depending on WebCrypto. @baton/seal's `SealedEnvelope` is
 * stricter (it checks every binary field decodes to its length); the relay verifies each
 * envelope with it before storing anything.
 */

const Name = z.string().min(1).max(256);
const Base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'unpadded base64url');

export const SealedEnvelopeShape = z
  .object({
    v: z.literal(1),
    kind: z.enum(['event', 'input', 'snapshot', 'attachment']),
    session: Name,
    id: Name,
    author: Name,
    keyEpoch: z.number().int().min(1).max(0xffffffff),
    counter: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    nonce: Base64url.length(16),
    /** At most 16 MiB of plaintext and the tag, in base64url. */
    ciphertext: Base64url.min(22).max(Math.ceil(((16 * 1024 * 1024 + 16) * 4) / 3)),
    signature: Base64url.length(86),
  })
  .strict();
export type SealedEnvelopeShape = z.infer<typeof SealedEnvelopeShape>;

/**
 * A sealed input payload: the kind stays in the clear (the relay gates terminal and chat inputs
 * differently), everything else (`data`, `run`, `report`, `text`, `attachments`) is sealed.
 */
export const SealedInputPayload = z
  .object({ kind: z.enum(['terminal', 'message']), sealed: SealedEnvelopeShape })
  .strict();
export type SealedInputPayload = z.infer<typeof SealedInputPayload>;

/** The `data` of an event the host sealed: only the envelope (the type stays in the clear). */
export const SealedEventData = z.object({ sealed: SealedEnvelopeShape }).strict();
export type SealedEventData = z.infer<typeof SealedEventData>;

/**
 * The runner state of a sealed session's snapshot (`snapshot` frame `state.runner`, and what a
 * relay stores): the host's projection state (`RunnerSnapshot`) sealed as envelope kind
 * `snapshot`, id `snap.<seq>` (docs/protocol.md, "Sealed snapshots"). Clients open it before
 * anything reads the state.
 */
export const SealedRunnerSnapshot = z.object({ sealed: SealedEnvelopeShape }).strict();
export type SealedRunnerSnapshot = z.infer<typeof SealedRunnerSnapshot>;

/** The envelope id of the snapshot at `seq`. */
export const snapshotEnvelopeId = (seq: number) => `snap.${seq}`;

/**
 * Snapshot envelopes count in their own space, above every event counter: 2^52 + seq. The
 * host's event counters are (n − 1) · 1000 + i + 1, far below 2^52 for any log, so the host's
 * two kinds of envelope never share a counter; and a later snapshot has a higher one.
 */
export const SNAPSHOT_COUNTER_BASE = 2 ** 52;
export const snapshotCounter = (seq: number) => SNAPSHOT_COUNTER_BASE + seq;

/**
 * Present exactly for sealed sessions: the host that holds the session's keys and the newest key
 * epoch it published for the session (0 until it published one).
 */
export const SessionSealing = z.object({
  hostId: z.string(),
  keyEpoch: z.number().int().nonnegative(),
});
export type SessionSealing = z.infer<typeof SessionSealing>;

/**
 * The host's signed device roster and a session key wrapped to one device, as @baton/seal makes
 * them (`SignedRoster`, `WrappedSessionKey`). Shapes only: whoever uses them checks them with
 * @baton/seal (a device checks the roster with the host keys from its pairing link).
 */
export const SignedRosterShape = z.object({
  v: z.literal(1),
  host: Name,
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  devices: z
    .array(z.object({ deviceId: Name, signingKey: Base64url, agreementKey: Base64url }).strict())
    .max(10_000),
  revoked: z
    .array(
      z
        .object({
          deviceId: Name,
          cutoffs: z
            .array(z.object({ session: Name, counter: z.number().int().nonnegative() }).strict())
            .max(100_000),
        })
        .strict(),
    )
    .max(10_000),
  signature: Base64url,
});
export type SignedRosterShape = z.infer<typeof SignedRosterShape>;

export const WrappedKeyShape = z
  .object({
    v: z.literal(1),
    session: Name,
    keyEpoch: z.number().int().min(1).max(0xffffffff),
    wrapper: Name,
    recipient: Name,
    ephemeralKey: Base64url,
    nonce: Base64url,
    ciphertext: Base64url,
    signature: Base64url,
  })
  .strict();
export type WrappedKeyShape = z.infer<typeof WrappedKeyShape>;

/** A new device's introduction of its public keys to a host (@baton/seal `Introduction`). */
export const IntroductionShape = z
  .object({
    v: z.literal(1),
    host: Name,
    deviceId: Name,
    signingKey: Base64url,
    agreementKey: Base64url,
    mac: Base64url,
    signature: Base64url,
  })
  .strict();
export type IntroductionShape = z.infer<typeof IntroductionShape>;

/** `GET /api/sessions/{id}/keys`: the host's newest roster and every key wrapped to the caller. */
export const SessionKeysResponse = z.object({
  roster: SignedRosterShape.nullable(),
  wrapped: z.array(WrappedKeyShape),
});
export type SessionKeysResponse = z.infer<typeof SessionKeysResponse>;

/** `POST /api/hosts/{hostId}/introductions` (the newly paired device's own token). */
export const IntroduceBody = z.object({
  introduction: IntroductionShape,
  /** The pairing code from the link's fragment (optional: the host finds it by the MAC too). */
  code: z.string().min(1).max(64).optional(),
});
export type IntroduceBody = z.infer<typeof IntroduceBody>;

/** Its answer (202): the relay keeps the introduction until the host took it. */
export const IntroduceResponse = z.object({ state: z.literal('pending') });
export type IntroduceResponse = z.infer<typeof IntroduceResponse>;

/**
 * The envelope id and counter of event `i` (0-based) of a host's `out` number `n`
 * (docs/protocol.md, "Sealed sessions through a relay"). The id ends with the event's type, which
 * travels in the clear: the signature and the AAD cover the id, so a relay that relabels an event
 * (`agent.text` shown as `agent.thinking`, bodies of the same shape) makes it fail to verify.
 * The counter grows with the log and is the same when an `out` is sealed again after a resend.
 */
export function sealedEventId(n: number, i: number, type: string): string {
  return `o${n}.${i}.${type}`;
}

export function sealedEventCounter(n: number, i: number): number {
  return (n - 1) * 1000 + i + 1;
}

/** The id an event sealed under `counter` must carry when its clear type is `type`. */
export function sealedEventIdOf(counter: number, type: string): string {
  return sealedEventId(Math.floor((counter - 1) / 1000) + 1, (counter - 1) % 1000, type);
}
