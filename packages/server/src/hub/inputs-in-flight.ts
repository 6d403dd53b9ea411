/**
 * The inputs a session has accepted and not yet stored and handed over (or refused). A client's
 * frames are handled concurrently, so an input and the Stop sent right after it race: the input
 * waits for its commit while the interrupt would reach the runner at once, find no turn, and be
 * lost. An interrupt waits for `settled()` first, so it lands after every input asked before it.
 */
export class InputsInFlight {
  private readonly open = new Set<Promise<void>>();

  /** Tracks `work` from now on; call it synchronously where the input is accepted. */
  track<T>(work: Promise<T>): Promise<T> {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.open.add(done);
    void done.then(() => this.open.delete(done));
    return work;
  }

  /** Resolves once every input tracked before this call has settled, stored or refused. */
  async settled(): Promise<void> {
    await Promise.all([...this.open]);
  }
}
