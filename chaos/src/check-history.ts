import type { CanonicalEvent, ClientHistory } from './history.js';

/** One broken guarantee, with enough detail to find it in the run's histories. */
export interface Violation {
  kind:
    | 'log-gap'
    | 'input-duplicated'
    | 'ack-not-in-log'
    | 'ack-disagrees'
    | 'phantom-ack'
    | 'phantom-input'
    | 'observed-gap'
    | 'observed-reorder'
    | 'observed-divergent'
    | 'observed-beyond-head'
    | 'stream-gap'
    | 'stream-repeated'
    | 'stream-interleaved'
    | 'stream-epochs'
    | 'stream-missing'
    | 'out-lost'
    | 'out-reordered'
    | 'out-changed'
    | 'sealed-refused';
  sessionId: string;
  client?: string;
  detail: string;
}

/**
 * Checks the histories of every client of one session against the session's canonical log:
 * - the log's sequence numbers are 1, 2, 3, … with no gap;
 * - every input id appears in the log at most once, and every acknowledged one exactly once, at
 *   the sequence number its ack named (all acks of one input id agree);
 * - nothing was acknowledged that the client did not submit, and no input is in the log that
 *   nobody submitted;
 * - every subscription's events continue right after where it asked to start (or after a
 *   snapshot), one by one, each identical to the log's event at that number — so every client's
 *   view is a prefix of the one log. In a sealed session a client that opens events (the SDK)
 *   is compared with the log's events as the checker's own device opened them, and one that
 *   records them as delivered with the stored envelopes.
 *
 * `unseen` holds sequence numbers that exist but whose content the checker never read (retention
 * compacted them first): they are not gaps, and what a client saw at them, or an ack naming them,
 * cannot be compared. Everything else is checked as above.
 */
export function checkSession(
  sessionId: string,
  canonical: readonly CanonicalEvent[],
  histories: readonly ClientHistory[],
  unseen: ReadonlySet<number> = new Set(),
): Violation[] {
  const violations: Violation[] = [];
  const v = (kind: Violation['kind'], detail: string, client?: string) =>
    violations.push(
      client === undefined ? { kind, sessionId, detail } : { kind, sessionId, client, detail },
    );

  const bySeq = new Map<number, CanonicalEvent>();
  let expected = 1;
  for (const event of canonical) {
    while (unseen.has(expected)) expected++;
    if (event.seq !== expected)
      v('log-gap', `log position of seq ${expected} holds seq ${event.seq}`);
    bySeq.set(event.seq, event);
    expected = event.seq + 1;
  }
  while (unseen.has(expected)) expected++;
  const head = expected - 1;

  const inputSeqs = new Map<string, number[]>();
  for (const e of canonical) {
    if (e.type !== 'input' || e.inputId === undefined) continue;
    const seqs = inputSeqs.get(e.inputId) ?? [];
    seqs.push(e.seq);
    inputSeqs.set(e.inputId, seqs);
  }
  for (const [inputId, seqs] of inputSeqs) {
    if (seqs.length > 1)
      v('input-duplicated', `input ${inputId} is in the log at seqs ${seqs.join(', ')}`);
  }

  const submittedBy = new Set<string>();
  for (const h of histories) for (const id of h.submitted) submittedBy.add(id);
  for (const inputId of inputSeqs.keys()) {
    if (!submittedBy.has(inputId))
      v('phantom-input', `input ${inputId} is in the log but nobody submitted it`);
  }

  const ackedAt = new Map<string, number>();
  for (const h of histories) {
    const mine = new Set(h.submitted);
    for (const ack of h.acks) {
      if (!mine.has(ack.inputId)) {
        v('phantom-ack', `ack for ${ack.inputId}, which this client never submitted`, h.client);
      }
      const seqs = inputSeqs.get(ack.inputId);
      if (!seqs && unseen.has(ack.seq)) {
        // Compacted before the checker read it: the ack cannot be compared.
      } else if (!seqs || !seqs.includes(ack.seq)) {
        v(
          'ack-not-in-log',
          `input ${ack.inputId} acked at seq ${ack.seq} but the log has it at ${seqs?.join(', ') ?? 'no seq'}`,
          h.client,
        );
      }
      const earlier = ackedAt.get(ack.inputId);
      if (earlier !== undefined && earlier !== ack.seq) {
        v(
          'ack-disagrees',
          `input ${ack.inputId} acked at seq ${earlier} and at seq ${ack.seq}`,
          h.client,
        );
      }
      ackedAt.set(ack.inputId, ack.seq);
    }
  }

  for (const h of histories) {
    h.segments.forEach((segment, s) => {
      let last = segment.afterSeq;
      for (const item of segment.items) {
        if (item.kind === 'snapshot') {
          if (item.seq < last)
            v(
              'observed-reorder',
              `segment ${s}: snapshot at ${item.seq} after seq ${last}`,
              h.client,
            );
          last = item.seq;
          continue;
        }
        const { seq, digest } = item.event;
        if (seq > head)
          v(
            'observed-beyond-head',
            `segment ${s}: seq ${seq} but the log ends at ${head}`,
            h.client,
          );
        else if (!unseen.has(seq) && expectedDigest(bySeq.get(seq), h.opened) !== digest) {
          v(
            'observed-divergent',
            `segment ${s}: seq ${seq} differs from the log's event`,
            h.client,
          );
        }
        if (seq > last + 1) v('observed-gap', `segment ${s}: seq ${seq} after ${last}`, h.client);
        if (seq <= last) v('observed-reorder', `segment ${s}: seq ${seq} after ${last}`, h.client);
        last = Math.max(last, seq);
      }
    });
  }
  return violations;
}

/** What a client's record of `event` must equal: opened or as stored (see `ClientHistory`). */
function expectedDigest(event: CanonicalEvent | undefined, opened = false): string | undefined {
  if (!event) return undefined;
  return opened ? (event.plainDigest ?? event.digest) : event.digest;
}
