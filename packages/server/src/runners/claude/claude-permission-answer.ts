import type { PermissionDecision } from '@baton/protocol';
import { asArray, asObject, asString, type JsonObject } from '../agent-common/index.js';

/** What baton keeps of a `can_use_tool` request until it is answered. */
export interface ClaudePermissionAsk {
  readonly toolName: string;
  readonly input: unknown;
  /** The CLI's `permission_suggestions`: the rules it would add for "don't ask again". */
  readonly suggestions: readonly JsonObject[];
}

export function claudePermissionAsk(request: JsonObject): ClaudePermissionAsk {
  return {
    toolName: asString(request.tool_name) ?? 'unknown',
    input: request.input ?? {},
    suggestions: asArray(request.permission_suggestions)
      .map((s) => asObject(s))
      .filter((s): s is JsonObject => s !== undefined),
  };
}

/**
 * The `control_response` body for a `can_use_tool` request (the SDK's PermissionResult):
 * - allow: `{behavior: 'allow', updatedInput}`; the CLI requires the input back, edited or not.
 *   For `scope: 'session'` also `updatedPermissions`: the CLI's own suggestions with their
 *   destination moved to `session` (so nothing is written to the project's settings files),
 *   or, when it made none, a rule allowing the tool by name for this session. The CLI applies
 *   them before it runs the tool, so the next identical call is not asked about.
 *   With `answers` (the person answered an AskUserQuestion), the input goes back with them
 *   added as its `answers` field, keyed by question text: that is where the CLI's tool reads
 *   them, and it tells the model `"<question>"="<answer>"` for each.
 * - deny: `{behavior: 'deny', message}`; the CLI gives the message to the model as the tool's
 *   error result, so a reason reaches the model (for ExitPlanMode: why to keep planning).
 */
export function claudePermissionResponse(
  answer: PermissionDecision,
  ask: ClaudePermissionAsk | undefined,
): JsonObject {
  if (answer.decision === 'deny') {
    return { behavior: 'deny', message: answer.message ?? 'The user denied this tool use.' };
  }
  const input = answer.updatedInput ?? asObject(ask?.input) ?? {};
  const response: JsonObject = {
    behavior: 'allow',
    updatedInput: answer.answers ? { ...input, answers: answer.answers } : input,
  };
  if (answer.scope === 'session' && ask) {
    response.updatedPermissions =
      ask.suggestions.length > 0
        ? ask.suggestions.map((s) => ({ ...s, destination: 'session' }))
        : [
            {
              type: 'addRules',
              rules: [{ toolName: ask.toolName }],
              behavior: 'allow',
              destination: 'session',
            },
          ];
  }
  return response;
}
