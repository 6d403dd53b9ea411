import { useMemo, type ReactNode } from 'react';
import { parsePatch, structuredPatch, type StructuredPatchHunk } from 'diff';
import type { FileEdit } from './tool-summary.js';

/** Past this many lines a diff is cut, with a note: a transcript card is not an editor. */
const MAX_LINES = 400;

interface DiffLine {
  readonly sign: '+' | '-' | ' ' | '@';
  readonly text: string;
}

/**
 * One file's change as a unified diff, coloured by line, with the path above it. Built with
 * `diff` (jsdiff): old/new texts (Claude's Edit, Write) are diffed here; a patch the agent sent
 * (Codex's fileChange) is parsed, and shown as added or removed text when it is not a patch.
 */
export function DiffView({ edit }: { edit: FileEdit }): ReactNode {
  const lines = useMemo(() => diffLines(edit), [edit]);
  const added = lines.filter((l) => l.sign === '+').length;
  const removed = lines.filter((l) => l.sign === '-').length;
  const shown = lines.slice(0, MAX_LINES);
  return (
    <figure className="diff">
      <figcaption>
        <code>{edit.path}</code>{' '}
        <span className="diff-stat">
          <span className="diff-added">+{added}</span>{' '}
          <span className="diff-removed">−{removed}</span>
        </span>
      </figcaption>
      <pre className="diff-body" aria-label={`Changes to ${edit.path}`}>
        {shown.map((l, i) => (
          <span key={i} className={`diff-line diff-${SIGN_CLASS[l.sign]}`}>
            <span className="diff-sign" aria-hidden="true">
              {l.sign === '@' ? '' : l.sign}
            </span>
            {l.text}
            {'\n'}
          </span>
        ))}
      </pre>
      {lines.length > shown.length ? (
        <p className="muted">{lines.length - shown.length} more lines not shown.</p>
      ) : null}
    </figure>
  );
}

const SIGN_CLASS = { '+': 'add', '-': 'del', ' ': 'ctx', '@': 'hunk' } as const;

export function diffLines(edit: FileEdit): DiffLine[] {
  if (edit.change === 'texts') {
    const patch = structuredPatch(edit.path, edit.path, edit.before, edit.after, '', '', {
      context: 3,
    });
    return hunkLines(patch.hunks);
  }
  const text = edit.patch;
  if (/^@@ /m.test(text)) {
    try {
      return parsePatch(text).flatMap((p) => hunkLines(p.hunks));
    } catch {
      // Not a patch after all: fall through and show it as text.
    }
  }
  const sign = edit.action === 'delete' ? '-' : edit.action === 'add' ? '+' : ' ';
  return splitLines(text).map((t) => ({ sign, text: t }));
}

function hunkLines(hunks: readonly StructuredPatchHunk[]): DiffLine[] {
  const out: DiffLine[] = [];
  for (const h of hunks) {
    out.push({
      sign: '@',
      text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
    });
    for (const line of h.lines) {
      const first = line[0];
      if (first === '+' || first === '-' || first === ' ')
        out.push({ sign: first, text: line.slice(1) });
      // "\ No newline at end of file" markers carry nothing a reader needs.
    }
  }
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
