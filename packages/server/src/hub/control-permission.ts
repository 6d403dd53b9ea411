import type { ControlAction, Role, SessionControl } from '@baton/protocol';
import { BatonError } from '../baton-error.js';

/**
 * Who may change control (docs/protocol.md, "Handoff and control"): taking control back needs
 * the owner role; releasing it needs the owner role or being the controller. Checked where the
 * change is made, against the state it builds on: on the session's owner node (a node that only
 * follows forwards the change with the asker's role). `role` is undefined when the caller has
 * checked already (redeeming a handoff link that takes over or mirrors).
 */
export function checkControlChange(
  control: SessionControl,
  action: ControlAction,
  deviceId: string,
  role: Role | undefined,
): void {
  if (role === undefined) return;
  if (action === 'reclaim' && role !== 'owner')
    throw new BatonError(
      'forbidden',
      'taking control back needs the owner role; ask the controller to hand the session back',
      undefined,
      'owner',
    );
  if (
    action === 'release' &&
    role !== 'owner' &&
    !(control.state === 'controlled' && control.controller.deviceId === deviceId)
  )
    throw new BatonError(
      'forbidden',
      'only the controller or an owner can release control of this session',
    );
}
