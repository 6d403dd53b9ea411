import {
  type AuthorCounter,
  CounterGuard,
  KeyRing,
  SealError,
  openAttachment,
  openEnvelope,
  sealAttachment,
  sealEnvelope,
  unwrapSessionKey,
  type DeviceIdentity,
  type SealedEnvelope,
} from '@baton/seal';
import {
  InputPayload,
  LogEvent,
  isKnownLogEvent,
  sealedEventIdOf,
  type ReceivedLogEvent,
  type StreamMessage,
} from '@baton/protocol';
import type { HostTrust } from './host-trust.js';

/** What `GET /api/sessions/{id}/keys` answers (checked here, not trusted). */
export interface SessionKeys {
  readonly roster: unknown;
  readonly wrapped: readonly unknown[];
}

/** A sealed input payload as it travels: the kind in the clear, everything else sealed. */
export interface SealedPayload {
  readonly kind: InputPayload['kind'];
  readonly sealed: SealedEnvelope;
}

/**
 * Why an event was not shown: a `SealErrorCode`, or
 * - `plaintext`: an event whose body must be sealed arrived in the clear in a sealed session;
 * - `invalid_body`: the opened body is not what its (clear) type says.
 */
export type RefusalCode = SealError['code'] | 'plaintext' | 'invalid_body';

/** One log event after opening: the plaintext event, or why it was refused. */
export type OpenedEvent =
  | {
      readonly ok: true;
      readonly event: ReceivedLogEvent;
      /** The envelope's author and counter, checked in log order by `admit`; none if clear. */
      readonly sealedBy?: { readonly author: string; readonly counter: number };
    }
  | {
      readonly ok: false;
      readonly seq: number;
      readonly code: RefusalCode;
      readonly message: string;
    };

/**
 * Event types whose body is content: in a sealed session they must arrive sealed. Other types
 * (status, renames, deliveries, resizes, control, settings, permission answers) are metadata the
 * relay needs and may arrive in the clear (docs/security.md, "What the relay sees").
 */
const CONTENT_TYPES: ReadonlySet<string> = new Set([
  'terminal.output',
  'agent.text',
  'agent.thinking',
  'agent.tool.call',
  'agent.tool.result',
  'agent.permission.requested',
  'agent.error',
  'agent.turn.ended',
  'input',
]);

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * One sealed session on this device: its keys (unwrapped from what the host wrapped to this
 * device, checked against the host's roster), the counter guard over every author in log order,
 * and this device's own counter for what it seals.
 *
 * Opening is split in two so that the crypto may run as events arrive (async) while the replay
 * check runs exactly once per position, in log order (`admit`, synchronous, called by the log
 * when it applies the event): an event moved to a later seq, replayed, or reordered has a
 * counter not above the last one of its author's lane there and is refused.
 */
/** Streamed messages whose fragment numbers are remembered, at most (the newest). */
const STREAMING_MEMORY = 64;

export class SessionSealing {
  readonly keyRing = new KeyRing();
  #guard = new CounterGuard();
  /** Per streamed message: the number of the last fragment opened, and its text's length. */
  readonly #fragments = new Map<string, { k: number; length: number }>();
  #refreshing: Promise<void> | undefined;
  /**
   * Key epochs (`no_key`) and authors (`unknown_device`) keys were already fetched for: a
   * revoked device, or a relay naming made-up authors, makes it ask once each, not per event.
   */
  readonly #askedFor = new Set<string>();

  constructor(
    readonly sessionId: string,
    readonly trust: HostTrust,
    private readonly identity: DeviceIdentity,
    private readonly own: AuthorCounter,
    private readonly fetchKeys: () => Promise<SessionKeys>,
    private readonly saveCounter: (last: number) => Promise<void>,
  ) {}

  /** The newest key epoch this device holds for the session (0: none). */
  get keyEpoch(): number {
    return this.keyRing.current(this.sessionId)?.epoch ?? 0;
  }

  /**
   * Fetches the session's keys: applies the roster (host key from the pairing link), then
   * unwraps every key wrapped to this device that it does not hold yet, each checked as signed
   * by the session's host. A wrapped key that fails is skipped (and reported); calls made while
   * one runs share it.
   */
  refreshKeys(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const answer = await this.fetchKeys();
        await this.trust.apply(answer.roster);
        const failures: SealError[] = [];
        for (const wrapped of answer.wrapped) {
          const w = wrapped as { recipient?: unknown; keyEpoch?: unknown; session?: unknown };
          if (w.recipient !== this.identity.deviceId || w.session !== this.sessionId) continue;
          if (typeof w.keyEpoch === 'number' && this.keyRing.get(this.sessionId, w.keyEpoch)) {
            continue;
          }
          try {
            this.keyRing.add(
              await unwrapSessionKey(this.identity, wrapped, {
                registry: this.trust.registry,
                expectedWrapper: this.trust.host.deviceId,
              }),
            );
          } catch (error) {
            failures.push(
              error instanceof SealError ? error : new SealError('malformed', String(error)),
            );
          }
        }
        // The keys that opened are kept; one that did not is never used, and is reported.
        const failure = failures[0];
        if (failure) {
          throw new SealError(
            failure.code,
            `a wrapped key for ${this.sessionId} was refused: ${failure.message}`,
          );
        }
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /**
   * Opens one event as the relay delivered it (crypto only: signature, context, tag). The counter
   * is checked later, in log order, by `admit`. A `no_key` makes it fetch the keys once and try
   * again (a key published after this device last asked).
   */
  async openEvent(event: ReceivedLogEvent): Promise<OpenedEvent> {
    const data = event.data as Record<string, unknown> | null | undefined;
    const refuse = (code: RefusalCode, message: string): OpenedEvent => ({
      ok: false,
      seq: event.seq,
      code,
      message,
    });
    if (event.type === 'input') {
      const payload = (data?.['payload'] ?? null) as Record<string, unknown> | null;
      if (!payload || !('sealed' in payload)) {
        return refuse('plaintext', `input #${event.seq} arrived in the clear in a sealed session`);
      }
      const inputId = String(data?.['inputId']);
      const author = String(data?.['deviceId']);
      const opened = await this.#open(payload['sealed'], { kind: 'input', id: inputId, author });
      if (!opened.ok) return refuse(opened.code, opened.message);
      const plain = InputPayload.safeParse(opened.value);
      if (!plain.success || plain.data.kind !== payload['kind']) {
        return refuse(
          'invalid_body',
          `input #${event.seq} opened to something not an input payload`,
        );
      }
      return {
        ok: true,
        event: { ...event, data: { ...data, payload: plain.data } } as ReceivedLogEvent,
        sealedBy: { author, counter: opened.counter },
      };
    }
    if (!data || typeof data !== 'object' || !('sealed' in data)) {
      if (CONTENT_TYPES.has(event.type)) {
        return refuse(
          'plaintext',
          `${event.type} #${event.seq} arrived in the clear in a sealed session`,
        );
      }
      return { ok: true, event };
    }
    const sealed = data['sealed'] as { counter?: unknown } | null;
    const counter = typeof sealed?.counter === 'number' ? sealed.counter : 0;
    const opened = await this.#open(data['sealed'], {
      kind: 'event',
      // The id follows from the counter and the clear type: a relabelled event does not open.
      id: counter >= 1 ? sealedEventIdOf(counter, event.type) : '?',
      author: this.trust.host.deviceId,
    });
    if (!opened.ok) return refuse(opened.code, opened.message);
    const candidate = { seq: event.seq, ts: event.ts, type: event.type, data: opened.value };
    if (isKnownLogEvent(candidate as ReceivedLogEvent)) {
      const parsed = LogEvent.safeParse(candidate);
      if (!parsed.success) {
        return refuse(
          'invalid_body',
          `${event.type} #${event.seq} opened to a body its type does not allow`,
        );
      }
      return { ok: true, event: parsed.data, sealedBy: { author: opened.author, counter } };
    }
    return {
      ok: true,
      event: candidate as ReceivedLogEvent,
      sealedBy: { author: opened.author, counter },
    };
  }

  /**
   * The replay check, in log order: the author's counter must be above the last one accepted
   * in its lane in this session. Throws a `SealError` (`replayed`) and records nothing otherwise.
   */
  admit(sealedBy: { author: string; counter: number }): void {
    this.#guard.accept(this.sessionId, sealedBy.author, sealedBy.counter);
  }

  /**
   * After a snapshot: each author's lanes go on from the highest counters the snapshot covers
   * (keyed as `CounterGuard.entries` keys them).
   */
  seed(counters: Readonly<Record<string, number>>): void {
    this.#guard.restore(this.sessionId, counters);
  }

  /** The log starts over (a resync, a reset, a snapshot): counters start over with it. */
  resetGuard(): void {
    this.#guard = new CounterGuard();
  }

  /**
   * Opens a volatile stream fragment's delta (no counter guard: fragments are display only and
   * never stored; the final text arrives as a sealed event), with the `offset` it starts at in
   * its message's text. Fragments are numbered by their signed ids `s.<messageId>.<k>`: k = 1
   * starts the message (offset 0: it replaces what a view holds, as when the relay sends a
   * subscriber turning live again the fragments kept so far), k = the last opened + 1 goes on
   * after it; any other (a repeat, or one after a gap) is undefined, not shown: the rest of the
   * catch-up or the final event fills it.
   */
  async openStream(
    message: StreamMessage & { sealed?: unknown },
  ): Promise<{ delta: string; offset: number } | undefined> {
    const sealed = message.sealed as { id?: unknown } | undefined;
    const id = typeof sealed?.id === 'string' ? sealed.id : '';
    const k = id.startsWith(`s.${message.messageId}.`)
      ? Number(id.slice(message.messageId.length + 3))
      : NaN;
    if (!Number.isSafeInteger(k) || k < 1) {
      throw new SealError(
        'context_mismatch',
        `a stream fragment of ${message.messageId} names ${id}`,
      );
    }
    const opened = await this.#open(message.sealed, {
      kind: 'event',
      id,
      author: this.trust.host.deviceId,
    });
    if (!opened.ok) throw new SealError(opened.code as SealError['code'], opened.message);
    if (typeof opened.text !== 'string') throw new SealError('malformed', 'not a text fragment');
    const last = this.#fragments.get(message.messageId);
    if (k !== 1 && (last === undefined || k !== last.k + 1)) return undefined;
    const offset = k === 1 ? 0 : last!.length;
    this.#fragments.delete(message.messageId);
    this.#fragments.set(message.messageId, { k, length: offset + opened.text.length });
    if (this.#fragments.size > STREAMING_MEMORY)
      this.#fragments.delete(this.#fragments.keys().next().value!);
    return { delta: opened.text, offset };
  }

  /**
   * Opens a sealed snapshot's runner state (docs/protocol.md, "Sealed snapshots"): an envelope
   * of kind `snapshot` with id `snap.<seq>` (the frame's seq: a snapshot moved to another
   * position is refused), by the session's host. No counter guard: a snapshot is the state up to
   * `seq`, and the same one may arrive again after a reconnect. Throws a `SealError`.
   */
  async openSnapshot(envelope: unknown, seq: number): Promise<unknown> {
    const opened = await this.#open(envelope, {
      kind: 'snapshot',
      id: `snap.${seq}`,
      author: this.trust.host.deviceId,
    });
    if (!opened.ok) throw new SealError(opened.code as SealError['code'], opened.message);
    return opened.value;
  }

  /**
   * Seals a file's bytes for upload (docs/protocol.md, "Sealed attachments"): an envelope of kind
   * `attachment` under the session's current key, with this device's next counter (the one its
   * inputs use, durable first, so a revocation's cut-off covers attachments too). Returns the
   * upload body: the envelope's JSON text.
   */
  async sealAttachment(bytes: Uint8Array): Promise<Uint8Array> {
    const sessionKey = await this.#sealingKey();
    const counter = this.own.next(this.sessionId);
    await this.saveCounter(counter);
    return (await sealAttachment({ identity: this.identity, sessionKey, counter, bytes })).body;
  }

  /**
   * Opens a downloaded sealed attachment to the file's bytes (any device of the host's roster
   * may have sealed it, under any epoch this device holds). No counter guard: an attachment is
   * read whenever a message shows it. A key or author not known yet makes it fetch keys once.
   * Throws a SealError.
   */
  async openAttachment(body: Uint8Array): Promise<Uint8Array> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (
          await openAttachment(body, this.sessionId, {
            registry: this.trust.registry,
            keyRing: this.keyRing,
          })
        ).plaintext;
      } catch (error) {
        if (
          attempt === 0 &&
          error instanceof SealError &&
          (error.code === 'no_key' || error.code === 'unknown_device')
        ) {
          await this.refreshKeys();
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Seals an input payload once, under the session's current key, with this device's next
   * counter (durable before this resolves, so a restart never reuses it).
   */
  async sealInput(inputId: string, payload: InputPayload): Promise<SealedPayload> {
    const sessionKey = await this.#sealingKey();
    const counter = this.own.next(this.sessionId);
    await this.saveCounter(counter);
    const sealed = await sealEnvelope({
      identity: this.identity,
      sessionKey,
      kind: 'input',
      id: inputId,
      counter,
      plaintext: encoder.encode(JSON.stringify(payload)),
    });
    return { kind: payload.kind, sealed };
  }

  /** The key this device seals under now; refuses when it was revoked or holds none. */
  async #sealingKey() {
    if (this.keyRing.current(this.sessionId) === undefined) await this.refreshKeys();
    if (this.trust.isRevoked(this.identity.deviceId)) {
      throw new SealError(
        'revoked_device',
        `the host revoked this device: pair it again to take part in ${this.sessionId}`,
      );
    }
    const sessionKey = this.keyRing.current(this.sessionId);
    if (!sessionKey) {
      throw new SealError(
        'no_key',
        `this device holds no key for ${this.sessionId} yet: the host has not wrapped one to it (is the host online and this device's introduction accepted?)`,
      );
    }
    return sessionKey;
  }

  #shouldAsk(error: SealError, envelope: unknown): boolean {
    const e = envelope as { keyEpoch?: unknown; author?: unknown } | null;
    const key =
      error.code === 'no_key'
        ? `epoch:${String(e?.keyEpoch)}`
        : error.code === 'unknown_device'
          ? `author:${String(e?.author)}`
          : undefined;
    if (key === undefined || this.#askedFor.has(key)) return false;
    this.#askedFor.add(key);
    return true;
  }

  async #open(
    envelope: unknown,
    place: { kind: 'event' | 'input' | 'snapshot'; id: string; author: string },
  ): Promise<
    | { ok: true; value: unknown; text: string; author: string; counter: number }
    | { ok: false; code: RefusalCode; message: string }
  > {
    for (let attempt = 0; ; attempt++) {
      try {
        const opened = await openEnvelope(
          envelope,
          { session: this.sessionId, ...place },
          // Replays are refused by `admit`, in log order; this guard only satisfies the call.
          { registry: this.trust.registry, keyRing: this.keyRing, counters: new CounterGuard() },
        );
        const text = decoder.decode(opened.plaintext);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          value = undefined;
        }
        return {
          ok: true,
          value,
          text,
          author: opened.envelope.author,
          counter: opened.envelope.counter,
        };
      } catch (error) {
        // A key or a device this device does not know yet (wrapped or paired after it last
        // asked): fetch keys and roster once per epoch or author, then try again.
        if (attempt === 0 && error instanceof SealError && this.#shouldAsk(error, envelope)) {
          try {
            await this.refreshKeys();
            continue;
          } catch {
            // Reported as the original refusal below.
          }
        }
        if (error instanceof SealError)
          return { ok: false, code: error.code, message: error.message };
        return {
          ok: false,
          code: 'decrypt_failed',
          message: `the body is not UTF-8 text: ${String(error)}`,
        };
      }
    }
  }
}
