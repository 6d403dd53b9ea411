import { createContext, useContext } from 'react';

/**
 * Puts text into the chat's composer, focused, for the user to change and send again (Edit on a
 * queued message). Text already in the box is kept after it, so no draft is lost.
 */
export type ComposerFill = (text: string) => void;

export const ComposerFillContext = createContext<ComposerFill>(() => {});

export function useComposerFill(): ComposerFill {
  return useContext(ComposerFillContext);
}
