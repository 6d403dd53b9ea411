import { nameProblem } from '@baton/protocol';
import { BatonError } from './baton-error.js';

/**
 * Refuses a session or device name with characters that would act on a terminal that prints it
 * (`baton ls`, the chat view's title) with `bad_request`. Applied where names enter: the
 * WebSocket requests and the HTTP routes that create or rename.
 */
export function checkName(name: string | undefined): void {
  if (name === undefined) return;
  const problem = nameProblem(name);
  if (problem) throw new BatonError('bad_request', problem);
}
