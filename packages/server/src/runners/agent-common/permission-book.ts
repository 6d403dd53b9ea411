import { RunnerError } from '../runner.js';

/**
 * The permission requests of one conversation. The first answer wins: `take` removes a request
 * synchronously, so two answers racing in from two devices cannot both be delivered; every later
 * answer gets `already_resolved`.
 */
export class PermissionBook {
  private readonly open = new Set<string>();
  private readonly closed = new Set<string>();

  add(requestId: string): void {
    if (!this.closed.has(requestId)) this.open.add(requestId);
  }

  /** Marks a request answered. Throws `already_resolved` or `not_found` when it cannot be. */
  take(requestId: string): void {
    if (this.open.delete(requestId)) {
      this.closed.add(requestId);
      return;
    }
    if (this.closed.has(requestId)) {
      throw new RunnerError(
        'already_resolved',
        `permission request ${requestId} was already answered; the first answer wins`,
      );
    }
    throw new RunnerError('not_found', `no permission request ${requestId} in this session`);
  }

  /** Closes a request without an answer (withdrawn by the agent). False when it was not open. */
  cancel(requestId: string): boolean {
    if (!this.open.delete(requestId)) return false;
    this.closed.add(requestId);
    return true;
  }

  /** Records a request already resolved in the log. */
  markResolved(requestId: string): void {
    this.open.delete(requestId);
    this.closed.add(requestId);
  }

  /** Requests still waiting for an answer, oldest first. */
  pending(): string[] {
    return [...this.open];
  }
}
