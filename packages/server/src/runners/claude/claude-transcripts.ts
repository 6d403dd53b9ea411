import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { AgentConversation } from '@baton/protocol';
import { asArray, asObject, asString, type JsonObject } from '../agent-common/index.js';
import { readJsonLines } from '../agent-common/read-json-lines.js';

/**
 * Claude Code's own transcripts: `<config dir>/projects/<project>/<session id>.jsonl`, where the
 * config dir is `$CLAUDE_CONFIG_DIR`, else `~/.claude`, and `<project>` is the working directory
 * with every character other than a letter or digit replaced by `-`. Each line is one JSON
 * object: `user` and `assistant` messages (with `cwd`, `sessionId`, `timestamp`), `summary`
 * titles, and bookkeeping lines baton ignores. baton never writes these files.
 */

/** How much of one transcript a listing reads: enough for its title, cwd and a count. */
const LIST_SCAN_BYTES = 4 * 1024 * 1024;
/** Transcript files a listing looks at, newest first, before summarising the `limit` newest. */
const MAX_FILES = 10_000;
const TITLE_CHARS = 200;
/** A Claude session id as a file name: what `AgentConfig.resume` accepts, without the suffix. */
const SESSION_FILE = /^([A-Za-z0-9][A-Za-z0-9._-]*)\.jsonl$/;

/** The folder Claude Code keeps its transcripts in, for an agent running with `env`. */
export function claudeProjectsDir(env: Readonly<Record<string, string | undefined>>): string {
  const configDir = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), '.claude');
  return join(configDir, 'projects');
}

/** A transcript file found on disk. */
export interface TranscriptFile {
  id: string;
  path: string;
  mtimeMs: number;
}

/**
 * The conversations in `projectsDir`, newest first, at most `limit`. Unreadable folders and
 * files are skipped, as are files with no user or assistant message (empty or malformed).
 */
export async function listClaudeConversations(
  projectsDir: string,
  limit: number,
): Promise<AgentConversation[]> {
  const files = await transcriptFiles(projectsDir);
  files.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const out: AgentConversation[] = [];
  for (const file of files) {
    if (out.length >= limit) break;
    const summary = await summarise(file).catch(() => undefined);
    if (summary) out.push(summary);
  }
  return out;
}

/** The transcript of session `id`, in whichever project folder it is, or undefined. */
export async function findClaudeTranscript(
  projectsDir: string,
  id: string,
): Promise<{ path: string; cwd: string | undefined } | undefined> {
  if (!SESSION_FILE.test(`${id}.jsonl`)) return undefined;
  for (const project of await subdirectories(projectsDir)) {
    const path = join(projectsDir, project, `${id}.jsonl`);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    return { path, cwd: await transcriptCwd(path) };
  }
  return undefined;
}

/** The working directory the transcript's messages ran in, from its first line that says. */
async function transcriptCwd(path: string): Promise<string | undefined> {
  for await (const line of readJsonLines(path, LIST_SCAN_BYTES)) {
    const cwd = asString(line.cwd);
    if (cwd) return cwd;
  }
  return undefined;
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

async function transcriptFiles(projectsDir: string): Promise<TranscriptFile[]> {
  const files: TranscriptFile[] = [];
  for (const project of await subdirectories(projectsDir)) {
    const dir = join(projectsDir, project);
    const names = await readdir(dir).catch(() => []);
    for (const name of names) {
      const id = SESSION_FILE.exec(name)?.[1];
      if (!id) continue;
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (!info?.isFile()) continue;
      files.push({ id, path: join(dir, name), mtimeMs: info.mtimeMs });
      if (files.length >= MAX_FILES) return files;
    }
  }
  return files;
}

async function summarise(file: TranscriptFile): Promise<AgentConversation | undefined> {
  let cwd: string | undefined;
  let summaryTitle: string | undefined;
  let firstPrompt: string | undefined;
  let count = 0;
  const assistantIds = new Set<string>();
  for await (const line of readJsonLines(file.path, LIST_SCAN_BYTES)) {
    cwd ??= asString(line.cwd);
    if (line.type === 'summary') summaryTitle ??= asString(line.summary);
    if (!isConversationLine(line)) continue;
    const message = asObject(line.message);
    if (line.type === 'user') {
      const text = userText(message?.content);
      if (text === undefined) continue;
      firstPrompt ??= text;
      count++;
    } else if (line.type === 'assistant') {
      // One line per content block; the blocks of one message share its id.
      const id = asString(message?.id) ?? asString(line.uuid) ?? String(count);
      if (!assistantIds.has(id)) {
        assistantIds.add(id);
        count++;
      }
    }
  }
  if (count === 0) return undefined;
  const title = (summaryTitle ?? firstPrompt ?? basename(file.path)).replace(/\s+/g, ' ').trim();
  const conversation: AgentConversation = {
    kind: 'claude',
    id: file.id,
    title: title.slice(0, TITLE_CHARS),
    lastActivityAt: Math.round(file.mtimeMs),
    messageCount: count,
  };
  if (cwd !== undefined) conversation.cwd = cwd;
  return conversation;
}

/**
 * A `user` or `assistant` line of the main conversation: not a subagent's (`isSidechain`), not
 * one Claude added for itself (`isMeta`: command caveats and the like).
 */
export function isConversationLine(line: JsonObject): boolean {
  return (
    (line.type === 'user' || line.type === 'assistant') &&
    line.isSidechain !== true &&
    line.isMeta !== true
  );
}

/** What the person typed in a `user` message, or undefined when it only carries tool results. */
export function userText(content: unknown): string | undefined {
  if (typeof content === 'string') return content.trim() === '' ? undefined : content;
  const texts = asArray(content)
    .map(asObject)
    .filter((b) => b?.type === 'text')
    .map((b) => asString(b?.text) ?? '')
    .filter((t) => t.trim() !== '');
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}
