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
 * `out` the relay acknowledged is in its log — its events, one after another — once, and the
 * acknowledged `out`s are in the log in the order of their numbers. What the host sent but the
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
  const bySeq = new Map(canonical.map((e) => [e.seq, e]));
  const seqsOf = new Map<string, number[]>();
  for (const e of canonical) {
    if (e.content === undefined) continue;
    const seqs = seqsOf.get(e.content) ?? [];
    seqs.push(e.seq);
    seqsOf.set(e.content, seqs);
  }
  const highestAck = Math.max(0, ...tap.acked);
  const numbers = [...tap.outs.keys()].sort((a, b) => a - b);
  summary.sent = numbers.length;
  let lastSeq = 0;
  for (const n of numbers) {
    const out = tap.outs.get(n)!;
    if (out.changed) v('out-changed', `out ${n} was sent again with other content`);
    if (n > highestAck) continue;
    summary.acked++;
    const first = out.events?.[0];
    if (!out.events || first === undefined) continue;
    const at = seqsOf.get(first) ?? [];
    if (at.length === 0) {
      v('out-lost', `out ${n} was acknowledged but its first event is not in the log`);
      continue;
    }
    if (at.length > 1)
      v('out-duplicated', `out ${n}'s first event is in the log at ${at.join(', ')}`);
    const seq = at.find((s) => s > lastSeq) ?? at[0]!;
    if (seq <= lastSeq)
      v('out-reordered', `out ${n} is in the log at ${seq}, before an earlier out (at ${lastSeq})`);
    const missing = out.events.findIndex((c, i) => bySeq.get(seq + i)?.content !== c);
    if (missing >= 0)
      v(
        'out-lost',
        `out ${n}: event ${missing + 1} of ${out.events.length} is not in the log after the first`,
      );
    else summary.checked++;
    lastSeq = Math.max(lastSeq, seq + out.events.length - 1);
  }
  return { violations, summary };
}
