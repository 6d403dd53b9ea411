import type { Store } from '../storage/store.js';

/**
 * A store whose commits the test can hold, to open the windows a store that yields (PostgreSQL)
 * has and better-sqlite3 has not:
 * - `before`: a commit waits before it writes anything (a slow round trip); appends arriving
 *   meanwhile must wait for it.
 * - `after`: a commit is written (other readers see it) but answered only on release: the
 *   moment in which PostgreSQL has committed and the server has not heard yet.
 * - `lost`: the next commit is written, then rejects as if its reply was lost.
 */
export function holdableCommits(inner: Store): {
  store: Store;
  hold(where: 'before' | 'after'): void;
  loseNextReply(): void;
  /** Commits waiting for `release`. */
  readonly held: number;
  release(): void;
} {
  let holding: 'before' | 'after' | undefined;
  let loseReply = false;
  let waiting: (() => void)[] = [];
  const wait = () => new Promise<void>((resolve) => waiting.push(resolve));
  const commit: Store['commit'] = async (batch) => {
    if (holding === 'before') await wait();
    const outcome = await inner.commit(batch);
    if (loseReply) {
      loseReply = false;
      throw new Error('Connection terminated unexpectedly');
    }
    if (holding === 'after') await wait();
    return outcome;
  };
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'commit') return commit;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return {
    store,
    hold: (where) => {
      holding = where;
    },
    loseNextReply: () => {
      loseReply = true;
    },
    get held() {
      return waiting.length;
    },
    release: () => {
      holding = undefined;
      const resume = waiting;
      waiting = [];
      for (const r of resume) r();
    },
  };
}
