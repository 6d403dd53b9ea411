import serializeModule from '@xterm/addon-serialize';
import headlessModule from '@xterm/headless';
import type { ITerminalAddon } from '@xterm/headless';

// Both packages are CommonJS bundles; their named exports are only reachable from the default.
const { Terminal } = headlessModule;
const { SerializeAddon } = serializeModule;
type HeadlessTerminal = InstanceType<typeof Terminal>;

/** A serialized screen: VT sequences that rebuild it in a fresh terminal of `cols` x `rows`. */
export interface ScreenState {
  screen: string;
  cols: number;
  rows: number;
}

export const DEFAULT_SCROLLBACK = 5000;

/**
 * The most characters handed to xterm and not yet parsed. xterm parses in time slices and throws
 * ("write data discarded, use flow control") once 50 M characters wait; a flood of output must
 * never reach that, so anything beyond this waits in `backlog` instead, in order.
 */
const MAX_IN_FLIGHT = 4 * 1024 * 1024;

/**
 * A screen that has not changed for this long is serialized in the background, so that the next
 * joiner gets a copy of the checkpoint instead of waiting for a serialization.
 */
export const CHECKPOINT_IDLE_MS = 200;
/**
 * Background serializations are spaced by at least this many times the last one's duration, so
 * they cost at most about a tenth of the thread even for a terminal whose output keeps stopping
 * and starting (a shell being typed into).
 */
const CHECKPOINT_SPACING_FACTOR = 10;

/** Output to parse, or an operation to run once everything before it is parsed. */
type Step = string | ((term: HeadlessTerminal) => void);

/**
 * One terminal's screen, kept by an `@xterm/headless` emulator fed with the PTY's output.
 *
 * Every operation goes through one ordered queue (xterm's write queue, with `backlog` in front of
 * it for flow control), so they take effect in call order even though xterm parses
 * asynchronously: a resize lands between the output written before and after it, and `snapshot`
 * serializes exactly what was written before it was called.
 *
 * The serialize addon covers the buffers, colours, cursor position and input modes; the cursor's
 * visibility (DECTCEM, hidden by vim and htop) is not among them, so it is tracked here.
 */
export class HeadlessScreen {
  private term: HeadlessTerminal;
  private serializer: InstanceType<typeof SerializeAddon>;
  private cursorHidden = false;
  private inFlight = 0;
  private backlog: Step[] = [];
  /**
   * Counts every change requested (write, resize, restore). A serialization enqueued when the
   * count was N describes exactly the changes 1..N, because the queue runs in call order.
   */
  private version = 0;
  /** The last serialization and the version it describes; current while `version` matches. */
  private checkpoint: { version: number; state: ScreenState } | undefined;
  private lastChangeAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** When the next background serialization may start (see CHECKPOINT_SPACING_FACTOR). */
  private notBefore = 0;
  private disposed = false;

  constructor(
    cols: number,
    rows: number,
    private readonly scrollback = DEFAULT_SCROLLBACK,
  ) {
    [this.term, this.serializer] = this.open(cols, rows);
  }

  /** Feed PTY output. */
  write(data: string): void {
    if (data.length === 0) return;
    this.changed();
    this.enqueue(data);
  }

  /** Resize after the output written so far has been parsed. */
  resize(cols: number, rows: number): void {
    this.changed();
    this.enqueue((term) => {
      if (term.cols !== cols || term.rows !== rows) term.resize(cols, rows);
    });
  }

  /**
   * The screen after everything written before this call: the checkpoint when nothing changed
   * since it was taken (a copy, no serialization), else a fresh serialization in queue order.
   */
  snapshot(): Promise<ScreenState> {
    const current = this.checkpoint;
    if (current && current.version === this.version) return Promise.resolve(current.state);
    return this.serialize();
  }

  /** Whether the checkpoint describes the screen as it is now (for tests and diagnostics). */
  get checkpointCurrent(): boolean {
    return this.checkpoint?.version === this.version;
  }

  private serialize(): Promise<ScreenState> {
    const version = this.version;
    return new Promise((resolve) => {
      this.enqueue((term) => {
        const started = performance.now();
        let screen = resetPenBeforeAlternate(
          this.serializer.serialize({ scrollback: this.scrollback }),
        );
        if (this.cursorHidden) screen += '\x1b[?25l';
        const state = { screen, cols: term.cols, rows: term.rows };
        const took = performance.now() - started;
        this.notBefore = Date.now() + took * CHECKPOINT_SPACING_FACTOR;
        if (!this.checkpoint || this.checkpoint.version < version)
          this.checkpoint = { version, state };
        resolve(state);
      });
    });
  }

  /** Invalidates the checkpoint and arms the idle timer that takes the next one. */
  private changed(): void {
    this.version++;
    this.lastChangeAt = Date.now();
    this.idleTimer ??= this.armIdle(CHECKPOINT_IDLE_MS);
  }

  private armIdle(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.onIdle(), ms);
    // A pending checkpoint never keeps a process (or a worker) alive.
    timer.unref();
    return timer;
  }

  private onIdle(): void {
    this.idleTimer = undefined;
    if (this.disposed || this.checkpointCurrent) return;
    const now = Date.now();
    const wait = Math.max(this.lastChangeAt + CHECKPOINT_IDLE_MS, this.notBefore) - now;
    if (wait > 0) {
      this.idleTimer = this.armIdle(wait);
      return;
    }
    void this.serialize();
  }

  /**
   * Replace the screen with a serialized one (a fresh emulator of its size, then its sequences).
   * Output not yet parsed is dropped with the old screen; operations waiting (a snapshot) run on
   * the new one.
   */
  restore(state: ScreenState): void {
    const waiting = this.backlog.filter((step) => typeof step !== 'string');
    this.term.dispose();
    this.cursorHidden = false;
    this.inFlight = 0;
    this.backlog = [];
    this.changed();
    [this.term, this.serializer] = this.open(state.cols, state.rows);
    this.enqueue(state.screen);
    for (const step of waiting) this.enqueue(step);
  }

  dispose(): void {
    this.disposed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.backlog = [];
    this.term.dispose();
  }

  private enqueue(step: Step): void {
    if (this.backlog.length === 0 && this.fits(step)) this.hand(step);
    else this.backlog.push(step);
  }

  private fits(step: Step): boolean {
    return (
      typeof step !== 'string' ||
      this.inFlight === 0 ||
      this.inFlight + step.length <= MAX_IN_FLIGHT
    );
  }

  private hand(step: Step): void {
    const term = this.term;
    if (typeof step === 'string') {
      this.inFlight += step.length;
      term.write(step, () => {
        // A callback of a screen replaced by `restore` no longer counts.
        if (term !== this.term) return;
        this.inFlight -= step.length;
        this.drain();
      });
    } else {
      term.write('', () => {
        if (term === this.term) step(term);
      });
    }
  }

  private drain(): void {
    while (this.backlog.length > 0 && this.fits(this.backlog[0]!)) this.hand(this.backlog.shift()!);
  }

  private open(
    cols: number,
    rows: number,
  ): [HeadlessTerminal, InstanceType<typeof SerializeAddon>] {
    const term = new Terminal({ cols, rows, scrollback: this.scrollback, allowProposedApi: true });
    const serializer = new SerializeAddon();
    // The addon is typed against @xterm/xterm's Terminal; it only uses the API both share.
    term.loadAddon(serializer as unknown as ITerminalAddon);
    const track = (hidden: boolean) => (params: (number | number[])[]) => {
      if (params.includes(25)) this.cursorHidden = hidden;
      return false; // let xterm handle the sequence as well
    };
    term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, track(false));
    term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, track(true));
    term.parser.registerEscHandler({ final: 'c' }, () => {
      this.cursorHidden = false;
      return false;
    });
    return [term, serializer];
  }
}

/** What the serialize addon writes between the normal buffer and the alternate one. */
const ALTERNATE_MARKER = '\x1b[?1049h\x1b[H';

/**
 * The addon ends each buffer's part with the terminal's current SGR pen, but starts the alternate
 * buffer's part assuming the default pen. With a full-screen program that left its pen inverse or
 * coloured, the first cells of the alternate screen would be drawn in that pen. Resetting the pen
 * at the switch makes the alternate part start from the default pen it assumes; the current pen
 * is still set at the very end. Cell text never holds an escape, so the marker is unambiguous.
 */
function resetPenBeforeAlternate(screen: string): string {
  const at = screen.indexOf(ALTERNATE_MARKER);
  return at === -1 ? screen : `${screen.slice(0, at)}\x1b[0m${screen.slice(at)}`;
}
