import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This node's name in session leases: unique per process run (a restarted node is a new holder,
 * so its leases get a new epoch), readable by an operator (`host-pid-random`).
 */
export function newNodeId(): string {
  return `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
