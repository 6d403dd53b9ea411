import type { ReceivedLogEvent } from '@baton/protocol';
import type { CanonicalEvent } from './history.js';
import type { LogOpener } from './sealed-log.js';
import type { ServerControl } from './server-control.js';
import { stableStringify } from './stable-json.js';

interface EventsPage {
  events: { seq: number; type: string; data: { inputId?: string; data?: unknown } }[];
  headSeq: number;
  firstSeq?: number;
  compacted: boolean;
}

/** A session's log as the checker knows it: the events it read, and numbers it never could. */
export interface CanonicalLog {
  events: CanonicalEvent[];
  /** Sequence numbers compacted away before the checker read them (their content is unknown). */
  unseen: Set<number>;
  headSeq: number;
  /** The first event the server still keeps (above 1 once retention compacted the log). */
  firstSeq: number;
  /** Sealed events that did not open or verify, with why: each one a checker failure. */
  refused: { seq: number; reason: string }[];
}

/**
 * The checker's entry for one stored event. `digest` and `content` are of the event as stored
 * (for a sealed session: its envelope, which raw clients and the host's `out`s are compared
 * with); `output` is read from `plain`, the opened event when the session is sealed.
 */
function toCanonical(
  event: EventsPage['events'][number],
  plain: EventsPage['events'][number] = event,
  sealed = false,
): CanonicalEvent {
  const entry: CanonicalEvent = {
    seq: event.seq,
    type: event.type,
    digest: stableStringify(event),
    content: stableStringify({ type: event.type, data: event.data }),
  };
  if (sealed) entry.plainDigest = stableStringify(plain);
  if (event.type === 'input' && event.data.inputId !== undefined)
    entry.inputId = event.data.inputId;
  if (plain.type === 'terminal.output' && typeof plain.data.data === 'string')
    entry.output = plain.data.data;
  return entry;
}

/**
 * Reads a session's log over HTTP (`GET /api/sessions/:id/events`) as it grows. With a small
 * retention the server compacts old events into a snapshot, so the checker reads the log during
 * the run (`poll`) and keeps every event it saw; numbers compacted before it could read them are
 * recorded as unseen, never silently skipped. Without compaction one `poll` at the end reads all.
 */
export class LogArchiver {
  private readonly events = new Map<number, CanonicalEvent>();
  private readonly unseen = new Set<number>();
  private after = 0;
  private headSeq = 0;
  private firstSeq = 1;
  private readonly refused: { seq: number; reason: string }[] = [];

  /**
   * `opener`: the session is sealed, and every event is opened and verified as it is read
   * (sealed-log.ts); one that does not open is recorded as refused, never skipped.
   */
  constructor(
    private readonly server: Pick<ServerControl, 'api'>,
    readonly sessionId: string,
    private readonly opener?: LogOpener,
  ) {}

  /** Reads everything committed since the last poll. Throws if the server is unreachable. */
  async poll(): Promise<void> {
    for (;;) {
      const page = await this.server.api<EventsPage>(
        'GET',
        `/api/sessions/${this.sessionId}/events?after=${this.after}&limit=5000`,
      );
      this.headSeq = Math.max(this.headSeq, page.headSeq);
      if (page.firstSeq !== undefined) this.firstSeq = page.firstSeq;
      if (page.compacted) {
        const first = page.firstSeq;
        if (first === undefined || first <= this.after + 1)
          throw new Error(`session ${this.sessionId}: events after ${this.after} were compacted`);
        for (let seq = this.after + 1; seq < first; seq++) this.unseen.add(seq);
        this.after = first - 1;
        continue;
      }
      for (const event of page.events) {
        // Every seq is read once, ascending: the opener's counter check runs in log order.
        if (event.seq <= this.after) continue;
        this.events.set(event.seq, await this.canonical(event));
        this.after = event.seq;
      }
      const last = page.events[page.events.length - 1];
      if (!last || last.seq >= page.headSeq) return;
    }
  }

  private async canonical(event: EventsPage['events'][number]): Promise<CanonicalEvent> {
    if (!this.opener) return toCanonical(event);
    const opened = await this.opener(event as unknown as ReceivedLogEvent);
    if (!opened.ok) {
      this.refused.push({ seq: opened.seq, reason: opened.reason });
      return toCanonical(event, { seq: event.seq, type: 'sealed.refused', data: {} }, true);
    }
    return toCanonical(event, opened.event as EventsPage['events'][number], true);
  }

  /** Polls until stopped, ignoring a server that is down for the moment (killed on purpose). */
  async follow(everyMs: number, stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      await this.poll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  log(): CanonicalLog {
    const events = [...this.events.values()].sort((a, b) => a.seq - b.seq);
    return {
      events,
      unseen: new Set(this.unseen),
      headSeq: this.headSeq,
      firstSeq: this.firstSeq,
      refused: [...this.refused],
    };
  }
}

/** Reads a session's whole log once (no compaction expected). */
export async function readCanonicalLog(
  server: ServerControl,
  sessionId: string,
): Promise<CanonicalEvent[]> {
  const archiver = new LogArchiver(server, sessionId);
  await archiver.poll();
  const log = archiver.log();
  if (log.unseen.size > 0)
    throw new Error(
      `session ${sessionId}: ${log.unseen.size} events were compacted; raise retention`,
    );
  return log.events;
}
