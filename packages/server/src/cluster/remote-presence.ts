import { Attachment } from '@baton/protocol';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { LiveSession } from '../hub/live-session.js';
import type { ClusterBus, PresenceRow } from './cluster-bus.js';

/**
 * One node's presence row of one session (`cluster_presence.body`): how many attachments go
 * through the node, and its window of them (PresenceBroadcast). At most PRESENCE_WINDOW
 * attachments of a few hundred bytes each: kept in the table, never in a notification.
 */
export const NodePresence = z.object({
  count: z.number().int().nonnegative(),
  attached: z.array(Attachment),
});
export type NodePresence = z.infer<typeof NodePresence>;

/** Attachment changes of a session are published at most this often (a join storm is one write). */
const PUBLISH_COALESCE_MS = 100;

/**
 * Presence across nodes (docs/operations.md, "Many nodes"). Each node stores, per session, what
 * it shows of its own attachments, and renews those rows with its leases; it tells the others a
 * row changed with a `presence` pointer. Each node reads the others' rows on that pointer and on
 * every poll, and shows a session's subscribers its own attachments followed by the others'.
 *
 * The bound on ghosts: a row counts only while renewed within `freshMs` (the lease time), and
 * every poll rereads all rows, so the attachments of a node that died (`kill -9`) disappear at
 * most `freshMs` plus one poll after its last renewal.
 *
 * Invariant: writes run one at a time, in the order they were made, and each writes the
 * session's state at the time it runs, so the last write of a session is its latest state.
 * Reads run one at a time too, so an older read never replaces what a newer one showed.
 */
export class RemotePresence {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private reading: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly deps: {
      bus: ClusterBus;
      log: Logger;
      nodeId: string;
      freshMs: number;
      find(id: string): LiveSession | undefined;
      all(): Iterable<LiveSession>;
    },
  ) {}

  /** Attachments through this node to the session changed: publish them soon. */
  changed(sessionId: string): void {
    if (this.closed) return;
    this.dirty.add(sessionId);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.publish());
    }, PUBLISH_COALESCE_MS);
  }

  /** The heartbeat: this node's rows stay current (called with every lease renewal). */
  async renew(): Promise<void> {
    if (this.closed) return;
    await this.deps.bus.renewPresence(this.deps.nodeId);
  }

  /** Reads the other nodes' rows of one session (a pointer came) or of all (a poll). */
  refresh(sessionId?: string): Promise<void> {
    const run = this.reading.then(() => this.read(sessionId));
    this.reading = run.catch((err: unknown) =>
      this.deps.log.warn('could not read the presence of other nodes', {
        error: (err as Error).message,
      }),
    );
    return this.reading;
  }

  /** Deletes this node's rows (shutting down): the others stop showing them at their next poll. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.writing;
    await this.deps.bus.clearPresence(this.deps.nodeId).catch(() => {});
  }

  private async publish(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      if (this.closed) return;
      const session = this.deps.find(id);
      const mine = session?.localPresence();
      const body = mine && mine.count > 0 ? JSON.stringify(mine satisfies NodePresence) : undefined;
      try {
        await this.deps.bus.publishPresence(this.deps.nodeId, id, body);
        await this.deps.bus.signal({ kind: 'presence', sessionId: id });
      } catch (err) {
        // Tried again with the next change or, failing one, the next heartbeat's retry below.
        this.dirty.add(id);
        this.deps.log.warn('could not publish this node’s presence', {
          session: id,
          error: (err as Error).message,
        });
      }
    }
    if (this.dirty.size > 0 && !this.closed)
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.writing = this.writing.then(() => this.publish());
      }, this.deps.freshMs / 3);
  }

  private async read(sessionId: string | undefined): Promise<void> {
    if (this.closed) return;
    const rows = await this.deps.bus.readPresence(this.deps.nodeId, this.deps.freshMs, sessionId);
    const bySession = new Map<string, PresenceRow[]>();
    for (const row of rows) {
      const list = bySession.get(row.sessionId) ?? [];
      list.push(row);
      bySession.set(row.sessionId, list);
    }
    const sessions =
      sessionId === undefined
        ? [...this.deps.all()]
        : [this.deps.find(sessionId)].flatMap((s) => (s ? [s] : []));
    for (const session of sessions) {
      let count = 0;
      const attached: Attachment[] = [];
      for (const row of bySession.get(session.id) ?? []) {
        const parsed = NodePresence.safeParse(safeJson(row.body));
        // A row this version cannot read (another version's) is left out, never fatal.
        if (!parsed.success) continue;
        count += parsed.data.count;
        attached.push(...parsed.data.attached);
      }
      session.setRemotePresence(attached, count);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
