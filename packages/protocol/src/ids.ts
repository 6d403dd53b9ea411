import { z } from 'zod';

/** Server-assigned session id: `s_` followed by 20 lowercase base32 characters. */
export const SessionId = z
  .string()
  .regex(/^s_[a-z2-7]{20}$/, 'a session id looks like s_ followed by 20 characters [a-z2-7]');
export type SessionId = z.infer<typeof SessionId>;

/** The characters of an input id (ASCII): the server's stores lean on them having no `/`. */
export const INPUT_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

/**
 * Client-chosen id of an input, unique per device. The server dedupes on (session, device,
 * inputId): a retry with the same id and payload returns the original sequence number; the same
 * id with another payload is refused. Use a UUID or another value unique per device.
 */
export const InputId = z
  .string()
  .min(1)
  .max(128)
  .regex(INPUT_ID_PATTERN, 'an input id may use letters, digits and . _ : -');
export type InputId = z.infer<typeof InputId>;

/** Client-chosen request id echoed in the `reply` or `error` frame that answers the request. */
export const RequestId = z.union([z.string().max(128), z.number().int()]);
export type RequestId = z.infer<typeof RequestId>;

/** A sequence number in a session's log: 1, 2, 3, … with no gaps. 0 means "nothing yet". */
export const Seq = z.number().int().nonnegative();
export type Seq = z.infer<typeof Seq>;

/**
 * The identity of one history of a session's log. Sequence numbers mean something only within
 * an epoch: when a log is restored from a backup (its head may go backwards) it gets a new epoch,
 * and a client holding a position in the old one is reset. Opaque; compare for equality only.
 */
export const Epoch = z.string().min(1).max(64);
export type Epoch = z.infer<typeof Epoch>;
