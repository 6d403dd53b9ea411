/**
 * An entry of a commit that cannot be stored as it is (its session is gone, or its lease is no
 * longer the session's): the store leaves that entry out and reports it, and the others commit.
 */
export class EntryRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryRejected';
  }
}
