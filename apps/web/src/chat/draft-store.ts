/**
 * Unsent composer text per session, kept in localStorage so a reload (or a crash) does not
 * lose what was typed. Bounded: at most MAX_DRAFTS sessions (the least recently edited go
 * first) and MAX_CHARS per draft. Whatever is in storage is treated as untrusted: anything
 * that does not parse as drafts is ignored (and replaced on the next write), and a full or
 * unavailable storage only means the draft is not kept.
 */
const KEY = 'baton.drafts.v1';
const MAX_DRAFTS = 50;
export const MAX_DRAFT_CHARS = 100_000;

interface Draft {
  readonly text: string;
  readonly at: number;
}

function readAll(): Map<string, Draft> {
  const out = new Map<string, Draft>();
  let raw: unknown;
  try {
    raw = JSON.parse(localStorage.getItem(KEY) ?? '{}');
  } catch {
    return out;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [sessionId, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const { text, at } = value as { text?: unknown; at?: unknown };
    if (typeof text === 'string' && text && typeof at === 'number') {
      out.set(sessionId, { text: text.slice(0, MAX_DRAFT_CHARS), at });
    }
  }
  return out;
}

export function loadDraft(sessionId: string): string {
  return readAll().get(sessionId)?.text ?? '';
}

/** Keeps `text` as the session's draft; an empty text removes it. */
export function saveDraft(sessionId: string, text: string): void {
  const all = readAll();
  all.delete(sessionId);
  if (text) all.set(sessionId, { text: text.slice(0, MAX_DRAFT_CHARS), at: Date.now() });
  const kept = [...all.entries()].sort((a, b) => b[1].at - a[1].at).slice(0, MAX_DRAFTS);
  try {
    localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Storage full or disabled (private mode): the draft lives only in this page.
  }
}
