import type { Violation } from './check-history.js';
import type { SessionTap } from './host-link-tap.js';
import type { CanonicalEvent } from './history.js';

export interface AckedOutsSummary {
  /** `out` numbers the host sent. */
  sent: number;
  /** Of those, the ones the relay acknowledged (an ack of n covers every number up to n). */
  acked: number;
  /** Acknowledged `out`s of events, each found in the log. */
  checked: number;
}

/**
 * The relay's exactly-once promise for host output (docs/relay.md, "What survives what"): every
 * `out` the relay acknowledged is in its log — its events, one after another — and the
 * acknowledged `out`s are in the log in the order of their numbers. (That nothing is stored
 * twice is checked on the content itself: the numbered lines of checkHostStream.) What the host sent but the
 * relay never acknowledged may be stored or not (a host killed before the resend).
 *
 * An `out.ack` of n acknowledges every number up to n (the host drops them all). Status `out`s
 * carry no events and are not looked for. An `out` number sent again with other content is a
 * host bug and reported as such.
 */
export function checkAckedOuts(
  sessionId: string,
  canonical: readonly CanonicalEvent[],
  tap: SessionTap | undefined,
): { violations: Violation[]; summary: AckedOutsSummary } {
  const violations: Violation[] = [];
  const v = (kind: Violation['kind'], detail: string) =>
    violations.push({ kind, sessionId, detail });
  const summary: AckedOutsSummary = { sent: 0, acked: 0, checked: 0 };
  if (!tap) return { violations, summary };
  const ordered = [...canonical].sort((a, b) => a.seq - b.seq);
  /** The first position at or after `from` where `events` follow one another in the log. */
  const find = (events: readonly string[], from: number): number =>
    ordered.findIndex((_, i) => i >= from && events.every((c, k) => ordered[i + k]?.content === c));
  const highestAck = Math.max(0, ...tap.acked);
  const numbers = [...tap.outs.keys()].sort((a, b) => a - b);
  summary.sent = numbers.length;
  // Matched in number order, each after the one before: the same content may legitimately
  // recur (every new shell starts with the same output), so an out is the next match, not any.
  let next = 0;
  for (const n of numbers) {
    const out = tap.outs.get(n)!;
    if (out.changed) v('out-changed', `out ${n} was sent again with other content`);
    if (n > highestAck) continue;
    summary.acked++;
    if (!out.events || out.events.length === 0) continue;
    const at = find(out.events, next);
    if (at >= 0) {
      summary.checked++;
      next = at + out.events.length;
    } else if (find(out.events, 0) >= 0) {
      v('out-reordered', `out ${n} is in the log only before an out numbered below it`);
    } else {
      v(
        'out-lost',
        `out ${n} was acknowledged but its ${out.events.length} events are not in the log`,
      );
    }
  }
  return { violations, summary };
}
