/**
 * A plain-language reading of a tool call, for the tool card. Knows Claude Code's tools
 * (Edit, MultiEdit, Write, Bash, Read, Grep, Glob, …) and the tool items baton makes of Codex's
 * thread items (`command` for commandExecution, `file_change` for fileChange, `web_search`,
 * `<server>/<tool>` for MCP). Anything else is shown as its name and its scalar fields; the raw
 * JSON is only ever behind "Details". Pure, and total: any input (even garbage from a newer CLI)
 * gives a summary.
 */
export type ToolSummary =
  | {
      readonly kind: 'edit';
      readonly title: string;
      /** One entry per file changed. */
      readonly files: readonly FileEdit[];
    }
  | {
      readonly kind: 'command';
      readonly title: string;
      readonly command: string;
      readonly cwd?: string;
    }
  | {
      readonly kind: 'target';
      readonly title: string;
      readonly target: string;
      readonly extra: readonly Field[];
    }
  | { readonly kind: 'fields'; readonly title: string; readonly fields: readonly Field[] };

export interface Field {
  readonly name: string;
  readonly value: string;
}

/** A change to one file: either old/new texts to diff, or a unified diff as the agent gave it. */
export type FileEdit =
  | {
      readonly path: string;
      readonly change: 'texts';
      readonly before: string;
      readonly after: string;
    }
  | {
      readonly path: string;
      readonly change: 'patch';
      readonly patch: string;
      readonly action: string;
    };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Tools whose point is one path or pattern, and the field that holds it. */
const TARGET_FIELDS: Record<string, readonly string[]> = {
  Read: ['file_path'],
  NotebookRead: ['notebook_path'],
  Grep: ['pattern'],
  Glob: ['pattern'],
  LS: ['path'],
  WebFetch: ['url'],
  WebSearch: ['query'],
  web_search: ['query'],
  Task: ['description'],
  Agent: ['description'],
};
/** Fields shown next to the target, when present. */
const TARGET_EXTRAS = ['path', 'glob', 'type', 'offset', 'limit', 'prompt'];

export function summarizeTool(name: string, input: unknown): ToolSummary {
  const o = isObj(input) ? input : {};
  switch (name) {
    case 'Edit': {
      const path = str(o.file_path) ?? '(no path)';
      return {
        kind: 'edit',
        title: `Edit ${path}`,
        files: [
          {
            path,
            change: 'texts',
            before: str(o.old_string) ?? '',
            after: str(o.new_string) ?? '',
          },
        ],
      };
    }
    case 'MultiEdit': {
      const path = str(o.file_path) ?? '(no path)';
      const edits = Array.isArray(o.edits) ? o.edits.filter(isObj) : [];
      return {
        kind: 'edit',
        title: `Edit ${path} (${edits.length} change${edits.length === 1 ? '' : 's'})`,
        files: edits.map((e) => ({
          path,
          change: 'texts' as const,
          before: str(e.old_string) ?? '',
          after: str(e.new_string) ?? '',
        })),
      };
    }
    case 'Write': {
      const path = str(o.file_path) ?? '(no path)';
      return {
        kind: 'edit',
        title: `Write ${path}`,
        files: [{ path, change: 'texts', before: '', after: str(o.content) ?? '' }],
      };
    }
    case 'file_change':
      return codexFileChange(o);
    case 'Bash':
    case 'command': {
      const command = commandText(o.command);
      const cwd = str(o.cwd);
      const description = str(o.description);
      return {
        kind: 'command',
        title: description ? `Run: ${description}` : 'Run a command',
        command,
        ...(cwd ? { cwd } : {}),
      };
    }
    default:
      break;
  }
  const targetField = TARGET_FIELDS[name]?.find((f) => str(o[f]) !== undefined);
  if (targetField) {
    return {
      kind: 'target',
      title: name,
      target: str(o[targetField]) ?? '',
      extra: scalarFields(
        o,
        TARGET_EXTRAS.filter((f) => f !== targetField),
      ),
    };
  }
  return { kind: 'fields', title: name, fields: scalarFields(o, Object.keys(o)).slice(0, 6) };
}

/** Codex gives a command as a string (app-server v2) or as an argv array (older items). */
function commandText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((p) => String(p)).join(' ');
  return '';
}

/** Codex fileChange: `changes: [{ path, kind: { type: add|delete|update }, diff }]`. */
function codexFileChange(o: Obj): ToolSummary {
  const changes = Array.isArray(o.changes) ? o.changes.filter(isObj) : [];
  const files: FileEdit[] = changes.map((c) => {
    const kind = isObj(c.kind) ? str(c.kind.type) : str(c.kind);
    return {
      path: str(c.path) ?? '(no path)',
      change: 'patch',
      patch: str(c.diff) ?? '',
      action: kind ?? 'update',
    };
  });
  const title =
    files.length === 1
      ? `${actionVerb(files[0]!)} ${files[0]!.path}`
      : `Change ${files.length} files`;
  return { kind: 'edit', title, files };
}

function actionVerb(f: FileEdit): string {
  if (f.change !== 'patch') return 'Edit';
  return f.action === 'add' ? 'Create' : f.action === 'delete' ? 'Delete' : 'Edit';
}

/** The input's strings, numbers and booleans, shortened: what a person scans for. */
function scalarFields(o: Obj, names: readonly string[]): Field[] {
  const out: Field[] = [];
  for (const name of names) {
    const v = o[name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      const text = String(v);
      out.push({ name, value: text.length > 200 ? `${text.slice(0, 200)}…` : text });
    }
  }
  return out;
}
