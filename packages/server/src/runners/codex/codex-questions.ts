import type { PermissionDecision } from '@baton/protocol';
import { asObject, asString } from '../agent-common/index.js';

/** The request's name: Codex's `request_user_input` tool asking the person questions. */
export const REQUEST_USER_INPUT = 'item/tool/requestUserInput';

/** One question as asked: `id` is what Codex maps its answer by, `question` what baton keys by. */
export interface AskedQuestion {
  id: string;
  question: string;
}

/** The longest key of `PermissionDecision.answers`: a question's text is cut to fit. */
const MAX_QUESTION_KEY = 2_000;

/**
 * Codex's questions (one to three, each with a few options and a free-form "Other") shown as
 * Claude Code's AskUserQuestion prompt: the same `toolName` and `input.questions` shape, so every
 * client that answers Claude's questions (the web app, `baton attach`, the SDK's `agentPrompt`)
 * answers Codex's, and `SessionInfo.attention` says `question`. A question marked `isSecret`
 * keeps `secret: true` so that a client can hide what is typed; its answer is stored in the
 * session's log like every answer. Undefined when the request holds no question to show (it is
 * then answered with none).
 */
export function askedQuestions(
  params: Record<string, unknown>,
): { input: { questions: Record<string, unknown>[] }; asked: AskedQuestion[] } | undefined {
  const questions: Record<string, unknown>[] = [];
  const asked: AskedQuestion[] = [];
  for (const raw of Array.isArray(params.questions) ? params.questions : []) {
    const q = asObject(raw);
    const id = asString(q?.id);
    const text = asString(q?.question);
    if (!q || id === undefined || !text) continue;
    // Answers are keyed by the question's text, which Codex does not keep unique or short: the
    // key is cut to what an answer may carry, and a repeated one is numbered.
    let question = text.slice(0, MAX_QUESTION_KEY);
    for (let n = 2; asked.some((a) => a.question === question); n++)
      question = `${text.slice(0, MAX_QUESTION_KEY - 12)} (${n})`;
    const options = (Array.isArray(q.options) ? q.options : []).flatMap((o) => {
      const option = asObject(o);
      const label = asString(option?.label);
      if (!label) return [];
      const description = asString(option?.description);
      return [{ label, ...(description !== undefined ? { description } : {}) }];
    });
    const header = asString(q.header);
    questions.push({
      question,
      ...(header !== undefined ? { header } : {}),
      options,
      // Codex's options are mutually exclusive; "Other" is the answer field of one's own.
      multiSelect: false,
      ...(q.isSecret === true ? { secret: true } : {}),
    });
    asked.push({ id, question });
  }
  return asked.length > 0 ? { input: { questions }, asked } : undefined;
}

/**
 * The response Codex takes (`{answers: {<id>: {answers: [text]}}}`): each answered question's
 * text under its id. A declined prompt, or a question left unanswered, answers nothing for it:
 * the model is told which questions have an answer.
 */
export function questionAnswers(
  asked: readonly AskedQuestion[],
  answer: PermissionDecision,
): { answers: Record<string, { answers: string[] }> } {
  const answered: [string, { answers: string[] }][] = [];
  if (answer.decision === 'allow') {
    for (const { id, question } of asked) {
      const text = answer.answers?.[question];
      if (text !== undefined && text !== '') answered.push([id, { answers: [text] }]);
    }
  }
  // fromEntries defines each id as an own property, whatever it is called (`__proto__` too).
  return { answers: Object.fromEntries(answered) };
}
