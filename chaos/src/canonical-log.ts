import type { CanonicalEvent } from './history.js';
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
}

function toCanonical(event: EventsPage['events'][number]): CanonicalEvent {
  const entry: CanonicalEvent = {
    seq: event.seq,
    type: event.type,
    digest: stableStringify(event),
    content: stableStringify({ type: event.type, data: event.data }),
  };
  if (event.type === 'input' && event.data.inputId !== undefined)
    entry.inputId = event.data.inputId;
  if (event.type === 'terminal.output' && typeof event.data.data === 'string')
    entry.output = event.data.data;
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

  constructor(
    private readonly server: ServerControl,
    readonly sessionId: string,
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
        this.events.set(event.seq, toCanonical(event));
        this.after = Math.max(this.after, event.seq);
      }
      const last = page.events[page.events.length - 1];
      if (!last || last.seq >= page.headSeq) return;
    }
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
