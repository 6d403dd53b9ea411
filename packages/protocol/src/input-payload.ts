import { z } from 'zod';
import { MAX_ATTACHMENTS_PER_MESSAGE, MessageAttachment } from './attachment.js';
import { SealedInputPayload } from './sealed.js';

/**
 * What a device submits to a session's inbox. Every input is stored in the log before it is
 * acknowledged and reaches the runner in log order, one at a time.
 * - `terminal`: bytes typed into a shell (UTF-8 text, control characters included). `run` is the
 *   session's `SessionInfo.run` when the keys were typed; the server refuses the input with
 *   `stale_input` when the session's runner has started again since (the keys were meant for a
 *   program that is gone). Without `run` the input goes to whatever runs now. `report: true`
 *   marks an answer the window's terminal emulator sent by itself to a program's query (cursor
 *   position, device attributes, colours, focus): every window's emulator answers, so the server
 *   types only the answer of the session's one *responder* window and acknowledges the others'
 *   with `ignored: 'not_responder'` (docs/terminals.md, "Answers to terminal queries").
 *   `querySeq` (with `report`) is the seq of the `terminal.output` event whose query the report
 *   answers: the responder is then the one of the moment that output was committed, so a window
 *   whose emulator answers late, after the responder changed, is not typed a second time.
 * - `message`: a chat message to an agent. `text` is exactly what the user typed and is what every
 *   device shows; context baton adds for the agent travels separately (session config
 *   `systemPrompt`), never inside `text`. `attachments` (added in 2, additive) names images and
 *   files uploaded before (`POST /api/sessions/{id}/attachments`), in the order they were added;
 *   an id the server has not stored is refused with `not_found`. `text` stays required.
 */
export const InputPayload = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('terminal'),
    data: z.string().min(1).max(65_536),
    run: z.number().int().nonnegative().optional(),
    report: z.literal(true).optional(),
    querySeq: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('message'),
    text: z.string().min(1).max(200_000),
    attachments: z.array(MessageAttachment).min(1).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
  }),
]);
export type InputPayload = z.infer<typeof InputPayload>;

/**
 * An input payload as it travels and is stored: in the clear, or sealed (added in 2, additive:
 * only sealed sessions carry the sealed form, and a client that does not know
 * `SessionInfo.sealed` cannot take part in them). The sealed form is tried first: it is strict,
 * so a plain payload never matches it.
 */
export const WireInputPayload = z.union([SealedInputPayload, InputPayload]);
export type WireInputPayload = z.infer<typeof WireInputPayload>;

/**
 * The clear copy of a sealed terminal input's `run`, `report` and `querySeq` (added in 2,
 * additive), sent
 * beside its payload in `input` (and `POST …/inputs`) and stored in its input event: the relay
 * applies the stale-run check and the responder filter with them, as it does to a plaintext
 * input, and the host, once it opened the input, refuses one whose sealed values differ (so a
 * relay that alters them gains nothing but a dropped keystroke). Absent for other inputs, and
 * ignored by servers before it (which then apply neither check to sealed inputs).
 */
export const SealedTerminalChecks = z.object({
  run: z.number().int().nonnegative().optional(),
  report: z.literal(true).optional(),
  querySeq: z.number().int().positive().optional(),
});
export type SealedTerminalChecks = z.infer<typeof SealedTerminalChecks>;

/**
 * The `run`, `report` and `querySeq` of `source` (a terminal payload about to be sealed, or an
 * `input` message carrying their clear copy), without absent fields.
 */
export function sealedTerminalChecks(source: {
  kind?: string;
  run?: number | undefined;
  report?: true | undefined;
  querySeq?: number | undefined;
}): SealedTerminalChecks {
  if (source.kind !== undefined && source.kind !== 'terminal') return {};
  return {
    ...(source.run !== undefined ? { run: source.run } : {}),
    ...(source.report === true ? { report: true as const } : {}),
    ...(source.querySeq !== undefined ? { querySeq: source.querySeq } : {}),
  };
}

/** Whether a payload is the sealed form. */
export function isSealedPayload(payload: WireInputPayload): payload is SealedInputPayload {
  return 'sealed' in payload;
}

/**
 * An answer to an agent's permission request. The first answer wins. A plan approval (Claude
 * Code's ExitPlanMode) is approved with `allow` and sent back for more planning with `deny`, whose
 * `message` the agent gets as feedback; questions (AskUserQuestion) are answered with `allow`
 * and `answers`, or declined with `deny`.
 */
export const PermissionDecision = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('allow'),
    /** Replaces the tool's input when the user edited it before allowing. */
    updatedInput: z.record(z.string(), z.unknown()).optional(),
    /**
     * `session`: allow this tool call and, for the rest of the conversation, calls like it
     * without asking (Claude: a session permission rule; Codex: `acceptForSession`). Absent or
     * `once`: this call only. Added in protocol 1 without a bump: older servers ignore it and
     * allow once.
     */
    scope: z.enum(['once', 'session']).optional(),
    /**
     * The person's answers when the agent asked questions (Claude Code's AskUserQuestion), by
     * question text: an option's label, several labels joined with ", ", or text of their own.
     * Added in 2, additive: a server without it drops the field, and the agent is told the
     * questions went unanswered.
     */
    answers: z.record(z.string().max(2_000), z.string().max(10_000)).optional(),
  }),
  z.object({ decision: z.literal('deny'), message: z.string().max(10_000).optional() }),
]);
export type PermissionDecision = z.infer<typeof PermissionDecision>;
