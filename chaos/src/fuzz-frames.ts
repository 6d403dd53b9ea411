/**
 * Hostile upstream frames for the fuzzer. Every frame is invalid for a connection that has said
 * hello and attached to nothing, so the server must answer each with exactly one error frame and
 * change nothing: bad JSON, wrong types, missing or unknown fields, unknown message types,
 * oversized frames, binary frames, deep nesting, prototype tricks, a second hello, and requests
 * about sessions that do not exist. Real session ids are never used, so honest sessions'
 * logs cannot be touched by a frame the server (rightly) accepts.
 */

export type FuzzCategory =
  | 'bad-json'
  | 'wrong-type'
  | 'missing-field'
  | 'unknown-type'
  | 'unknown-session'
  | 'out-of-order'
  | 'huge'
  | 'binary'
  | 'deep'
  | 'prototype';

export interface FuzzFrame {
  category: FuzzCategory;
  data: string | Buffer;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same frames. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export class FuzzFrames {
  private readonly random: () => number;

  /** @param maxFrameBytes the server's limit; `huge` frames exceed it. */
  constructor(
    seed: number,
    private readonly maxFrameBytes: number,
  ) {
    this.random = rng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A session id of the right shape that no server issued (20 random base32 characters). */
  unknownSessionId(): string {
    let id = 's_';
    for (let i = 0; i < 20; i++) id += BASE32[this.int(32)];
    return id;
  }

  private garbage(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(32 + this.int(95));
    return s;
  }

  /** A well-formed message of a random type, about an unknown session. */
  private template(): Record<string, unknown> {
    const sessionId = this.unknownSessionId();
    const rid = this.int(1_000_000);
    return this.pick<Record<string, unknown>>([
      { type: 'subscribe', rid, sessionId, afterSeq: this.int(100) },
      { type: 'unsubscribe', rid, sessionId },
      { type: 'fetch', rid, sessionId, afterSeq: 0, limit: 10 },
      {
        type: 'input',
        sessionId,
        inputId: `fuzz-${rid}`,
        payload: { kind: 'message', text: 'hi' },
      },
      { type: 'resize', rid, sessionId, cols: 80, rows: 24 },
      { type: 'interrupt', rid, sessionId },
      { type: 'session.rename', rid, sessionId, name: 'x' },
      { type: 'session.stop', rid, sessionId },
      { type: 'session.restart', rid, sessionId },
      { type: 'session.delete', rid, sessionId },
      {
        type: 'permission.answer',
        rid,
        sessionId,
        requestId: 'r1',
        answer: { decision: 'deny' },
      },
    ]);
  }

  private wrongValue(current: unknown): unknown {
    const choices: unknown[] = [
      null,
      true,
      [],
      {},
      -1,
      1.5,
      1e308,
      '',
      'x'.repeat(5000),
      '\u0000\uFFFF',
      { $gt: '' },
    ];
    const picked = this.pick(choices);
    return typeof picked === typeof current && picked !== null ? [picked] : picked;
  }

  /** The next hostile frame. */
  next(): FuzzFrame {
    const roll = this.int(1000);
    if (roll === 0)
      return {
        category: 'huge',
        data: `{"type":"ping","pad":"${'a'.repeat(this.maxFrameBytes + 10)}"}`,
      };
    if (roll < 10) return { category: 'binary', data: Buffer.from([0, 1, 2, 0xff, this.int(256)]) };
    if (roll < 20) return { category: 'deep', data: '['.repeat(20_000) + ']'.repeat(20_000) };
    if (roll < 150) {
      const s = this.pick([
        this.garbage(1 + this.int(200)),
        '{"type":"input",',
        '{"type":}',
        "{'type':'ping'}",
        '',
        'undefined',
        'NaN',
        '[1,2,',
        '{"type":"subscribe","rid":1,"sessionId":"s_aaaaaaaaaaaaaaaaaaaa","afterSeq":0',
        '\uD800',
      ]);
      return { category: 'bad-json', data: s };
    }
    if (roll < 300) {
      return {
        category: 'unknown-type',
        data: JSON.stringify({
          type: this.pick(['hack', 'HELLO', 'event', 'ack', 'welcome', this.garbage(8)]),
          rid: 1,
        }),
      };
    }
    if (roll < 330) {
      const msg = this.pick<Record<string, unknown>>([
        { type: 'hello', v: 1, token: 'x', mode: 'tab' },
        { __proto__: { type: 'ping' }, constructor: { prototype: { polluted: true } } },
        JSON.parse('{"__proto__":{"type":"ping"},"type":"nope"}') as Record<string, unknown>,
      ]);
      const category: FuzzCategory = msg.type === 'hello' ? 'out-of-order' : 'prototype';
      return { category, data: JSON.stringify(msg) };
    }
    const msg = this.template();
    if (roll < 550) {
      const keys = Object.keys(msg).filter((k) => k !== 'type' && k !== 'rid');
      const key = this.pick(keys);
      msg[key] = this.wrongValue(msg[key]);
      return { category: 'wrong-type', data: JSON.stringify(msg) };
    }
    if (roll < 700) {
      const keys = Object.keys(msg).filter((k) => k !== 'type' && k !== 'rid');
      delete msg[this.pick(keys)];
      return { category: 'missing-field', data: JSON.stringify(msg) };
    }
    return { category: 'unknown-session', data: JSON.stringify(msg) };
  }
}
