import type { CanonicalEvent } from './history.js';
import type { ServerControl } from './server-control.js';
import { stableStringify } from './stable-json.js';

interface EventsPage {
  events: { seq: number; type: string; data: { inputId?: string } }[];
  headSeq: number;
  compacted: boolean;
}

/** Reads a session's whole log over HTTP (`GET /api/sessions/:id/events`), page by page. */
export async function readCanonicalLog(
  server: ServerControl,
  sessionId: string,
): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await server.api<EventsPage>(
      'GET',
      `/api/sessions/${sessionId}/events?after=${after}&limit=5000`,
    );
    if (page.compacted)
      throw new Error(
        `session ${sessionId}: events after ${after} were compacted; raise retention`,
      );
    for (const event of page.events) {
      const entry: CanonicalEvent = {
        seq: event.seq,
        type: event.type,
        digest: stableStringify(event),
      };
      if (event.type === 'input' && event.data.inputId !== undefined)
        entry.inputId = event.data.inputId;
      out.push(entry);
    }
    const last = page.events[page.events.length - 1];
    if (!last || last.seq >= page.headSeq) return out;
    after = last.seq;
  }
}
