import { agentPrompt, type AgentPrompt, type AgentQuestion } from '@baton/client';
import type { LogEvent } from '@baton/protocol';
import type { ChatStyle, DeviceNamer } from './chat-format.js';

type Requested = Extract<LogEvent, { type: 'agent.permission.requested' }>;
type Resolved = Extract<LogEvent, { type: 'agent.permission.resolved' }>;

/** What kind of answer a request wants: a permission, a plan approval, answers to questions. */
export type PromptKind = AgentPrompt['kind'];

const indent = (text: string, by = '  '): string =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => by + l)
    .join('\n');

/**
 * A plan to approve (ExitPlanMode) or questions to answer (AskUserQuestion), in full: the plan's
 * Markdown as it is, each question with its numbered options. Undefined for an ordinary
 * permission request, which the one-line format shows.
 */
export function formatPromptRequest(s: ChatStyle, e: Requested): string | undefined {
  const prompt = agentPrompt(e.data.toolName, e.data.input);
  const id = s.dim(`[${e.data.requestId}]`);
  if (prompt.kind === 'plan') {
    const head = `${s.bold(s.yellow('? plan'))} ${id}: the agent asks to carry out this plan`;
    return prompt.plan ? `${head}\n${indent(prompt.plan)}` : head;
  }
  if (prompt.kind === 'question') {
    const lines = [`${s.bold(s.yellow('? question'))} ${id}`];
    prompt.questions.forEach((q, i) => {
      const n = prompt.questions.length > 1 ? `${i + 1}) ` : '';
      const header = q.header ? s.dim(` (${q.header})`) : '';
      const several = q.multiSelect ? s.dim(' [several allowed]') : '';
      const secret = q.secret ? s.dim(' [secret]') : '';
      lines.push(`  ${n}${s.bold(q.question)}${header}${several}${secret}`);
      q.options.forEach((o, j) => {
        const why = o.description ? s.dim(` — ${o.description}`) : '';
        lines.push(`     ${j + 1}. ${o.label}${why}`);
      });
    });
    return lines.join('\n');
  }
  return undefined;
}

/** How a plan approval or questions were answered; undefined for ordinary requests. */
export function formatPromptResolution(
  s: ChatStyle,
  e: Resolved,
  prompt: AgentPrompt | undefined,
  name: DeviceNamer,
): string | undefined {
  const kind = prompt?.kind;
  const r = e.data.resolution;
  const who = name(e.data.deviceId);
  const id = s.dim(`[${e.data.requestId}]`);
  if (kind === 'plan') {
    return r.decision === 'allow'
      ? `${s.green('✓ plan approved')} by ${who} ${id}`
      : `${s.red('✗ plan sent back')} by ${who}${r.message ? `: ${r.message}` : ''} ${id}`;
  }
  if (kind === 'question' || (r.decision === 'allow' && r.answers)) {
    if (r.decision === 'deny')
      return `${s.red('✗ questions declined')} by ${who}${r.message ? `: ${r.message}` : ''} ${id}`;
    // An answer to a question the agent marked secret is not printed (it is in the log).
    const secret = new Set(
      prompt?.kind === 'question'
        ? prompt.questions.filter((q) => q.secret).map((q) => q.question)
        : [],
    );
    const answers = Object.entries(r.answers ?? {}).map(
      ([q, a]) => `  ${q} → ${secret.has(q) ? s.dim('(secret)') : s.bold(a)}`,
    );
    return [`${s.green('✓ answered')} by ${who} ${id}`, ...answers].join('\n');
  }
  return undefined;
}

/** How to answer a request, under it. */
export function promptHint(kind: PromptKind, id: string, questions: number): string {
  if (kind === 'plan')
    return `approve with /allow${id} (or y), or send it back with /deny${id} [what to change] (or n)`;
  if (kind === 'question') {
    const example =
      questions > 1 ? Array.from({ length: questions }, (_, i) => i + 1).join('; ') : '2';
    return `answer with /answer${id} ${example} (option numbers, 1,3 for several, or your own words${questions > 1 ? '; one answer per question, separated by ;' : ''}); /deny${id} declines`;
  }
  return `answer with /allow${id} or /deny${id} [message] (or y / n)`;
}

/**
 * The answers typed after `/answer`, one per question (separated by `;`): an option's number,
 * several numbers (`1,3`) where the question allows, or words of one's own (a number too, for a
 * question without options). Keyed by question text, as the agent wants them.
 */
export function answersFromChoices(
  questions: readonly AgentQuestion[],
  choices: readonly string[],
): { answers: Record<string, string> } | { error: string } {
  if (questions.length === 0) return { error: 'the request holds no question to answer' };
  if (choices.length !== questions.length) {
    return {
      error: `${questions.length} question${questions.length === 1 ? '' : 's'} need${questions.length === 1 ? 's' : ''} ${questions.length} answer${questions.length === 1 ? '' : 's'} separated by ';', got ${choices.length}`,
    };
  }
  const answers: Record<string, string> = {};
  for (const [i, q] of questions.entries()) {
    const choice = choices[i]!.trim();
    if (!choice) return { error: `no answer for "${q.question}"` };
    if (q.options.length > 0 && /^\d+(\s*,\s*\d+)*$/.test(choice)) {
      const numbers = choice.split(',').map((n) => Number(n.trim()));
      const bad = numbers.find((n) => n < 1 || n > q.options.length);
      if (bad !== undefined)
        return { error: `"${q.question}" has options 1 to ${q.options.length}, not ${bad}` };
      if (numbers.length > 1 && !q.multiSelect)
        return { error: `"${q.question}" takes one option` };
      answers[q.question] = numbers.map((n) => q.options[n - 1]!.label).join(', ');
    } else {
      answers[q.question] = choice;
    }
  }
  return { answers };
}
