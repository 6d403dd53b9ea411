/** A listener called after a store's snapshot changed. */
export type Listener = () => void;

/**
 * The shape React's `useSyncExternalStore` expects: `subscribe` returns an unsubscribe function
 * and `getSnapshot` returns an immutable value whose identity changes only when it changed.
 */
export interface ExternalStore<T> {
  subscribe(listener: Listener): () => void;
  getSnapshot(): T;
}

/**
 * Holds one immutable value and notifies listeners when it is replaced. Callers replace the
 * value only when something changed, so identity comparison is a valid change check.
 */
export class ObservableValue<T> implements ExternalStore<T> {
  #value: T;
  readonly #listeners = new Set<Listener>();

  constructor(initial: T) {
    this.#value = initial;
  }

  readonly subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): T => this.#value;

  /** Replaces the value and notifies listeners, unless `next` is the current value. */
  set(next: T): void {
    if (Object.is(next, this.#value)) return;
    this.#value = next;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Applies `update` to the current value; listeners run only if it returned a new value. */
  update(update: (current: T) => T): void {
    this.set(update(this.#value));
  }
}
