import type { ReactNode } from 'react';

/**
 * This window's part in a terminal: Typing (its keys and size reach the program) or Watching
 * (attached read-only: nothing it does is sent). Two buttons, the pressed one is the mode in use;
 * clearer than a "read-only: off" switch, and the same words presence uses.
 */
export function WatchToggle({
  watching,
  onChange,
}: {
  watching: boolean;
  onChange: (watching: boolean) => void;
}): ReactNode {
  return (
    <div className="watch-toggle" role="group" aria-label="This window">
      <button
        type="button"
        aria-pressed={!watching}
        onClick={() => onChange(false)}
        title="Your keys reach the program"
      >
        Typing
      </button>
      <button
        type="button"
        aria-pressed={watching}
        onClick={() => onChange(true)}
        title="Only watch: nothing this window does is sent"
      >
        Watching
      </button>
    </div>
  );
}
