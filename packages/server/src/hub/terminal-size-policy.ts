export interface TerminalSize {
  cols: number;
  rows: number;
}

/**
 * Whose window size a terminal session's PTY has, like tmux's `window-size latest` with a
 * per-window override:
 * - **Follow the writer** (every window's default): the size of the window that typed last
 *   (before anyone typed, the latest window to report its size), except that a narrower window
 *   typing does not shrink the terminal under a wider one still attached: the narrow window fits
 *   the text to its width or pans instead (the web app), and the wide windows keep their layout.
 *   A window resizing itself while its size is in force changes it, narrower or not.
 * - **Fit to me**: a window that chose it keeps its size in force whoever types, until it
 *   chooses Follow again or leaves. When several chose it, the latest choice wins. This is how a
 *   phone makes the terminal its size.
 * A window that only watches (read-only) never reports a size.
 *
 * All state lives here and every transition is one method; each returns the size to apply now
 * and whether the owner changed (so presence can say whose size is in use).
 */
export class TerminalSizePolicy {
  private readonly sizes = new Map<string, TerminalSize>();
  /** The connection that typed last; also used to choose the terminal's responder. */
  lastWriter: string | undefined;
  /** The connection that chose Fit to me most recently, while attached. */
  private pinned: string | undefined;
  /** The connection whose size is in force. */
  private currentOwner: string | undefined;
  private currentOwnerPinned = false;
  private lastResizer: string | undefined;

  /** Whose size is in force, and whether that window chose Fit to me. */
  get owner(): { connectionId: string; fitToMe: boolean } | undefined {
    if (this.currentOwner === undefined) return undefined;
    return { connectionId: this.currentOwner, fitToMe: this.currentOwnerPinned };
  }

  /** Whether `connectionId` chose Fit to me (and that choice is the one in force). */
  isPinned(connectionId: string): boolean {
    return this.pinned === connectionId;
  }

  /** A window reported its fitted size; `fitToMe` changes its choice when given. */
  resize(connectionId: string, size: TerminalSize, fitToMe?: boolean): Decision {
    this.sizes.set(connectionId, size);
    this.lastResizer = connectionId;
    if (fitToMe === true) this.pinned = connectionId;
    else if (fitToMe === false && this.pinned === connectionId) this.pinned = undefined;
    return this.decide();
  }

  /** A window typed. */
  wrote(connectionId: string): Decision {
    this.lastWriter = connectionId;
    return this.decide();
  }

  /** A window left, or may no longer type (read-only). */
  left(connectionId: string): Decision {
    this.sizes.delete(connectionId);
    if (this.lastWriter === connectionId) this.lastWriter = undefined;
    if (this.pinned === connectionId) this.pinned = undefined;
    if (this.lastResizer === connectionId) this.lastResizer = undefined;
    return this.decide();
  }

  private decide(): Decision {
    const sized = (c: string | undefined): string | undefined =>
      c !== undefined && this.sizes.has(c) ? c : undefined;
    // A writer that never reported a size (a script typing over the API) keeps the PTY's size.
    const writer = this.lastWriter !== undefined ? sized(this.lastWriter) : sized(this.lastResizer);
    // The size in force before, unless it was only in force because it was pinned.
    const current = this.currentOwnerPinned ? undefined : sized(this.currentOwner);
    // A writer that has not reported its size yet (a window that has just opened: its report
    // is debounced) leaves the size in force, and its owner, as they were: were the owner
    // dropped here, that window's report a moment later would find no wider window to keep and
    // shrink the terminal under it.
    let owner = sized(this.pinned) ?? writer ?? current;
    if (owner === writer && writer !== undefined && current !== undefined) {
      // A narrower window typing does not shrink the terminal under a wider one still attached.
      if (this.sizes.get(writer)!.cols < this.sizes.get(current)!.cols) owner = current;
    }
    const pinned = owner !== undefined && owner === this.pinned;
    const previous = this.currentOwner;
    const changed = owner !== previous || pinned !== this.currentOwnerPinned;
    this.currentOwner = owner;
    this.currentOwnerPinned = pinned;
    return {
      size: owner !== undefined ? this.sizes.get(owner) : undefined,
      ownerChanged: changed,
      previousOwner: previous,
    };
  }
}

export interface Decision {
  /** The size in force now (apply it if it differs from the PTY's); undefined: keep the PTY's. */
  size: TerminalSize | undefined;
  /** The owner, or its Fit to me choice, changed: announce the old and new owner. */
  ownerChanged: boolean;
  previousOwner: string | undefined;
}
