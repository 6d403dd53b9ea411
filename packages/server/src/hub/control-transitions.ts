import {
  OPEN_CONTROL,
  type ControlAction,
  type ControlDevice,
  type SessionControl,
} from '@baton/protocol';

/**
 * The control state machine's transitions (see `SessionControl`): pure, so the same rules hold
 * wherever they run. Who may ask for each transition is checked before (handoff and control
 * routes); this only says what the next state is.
 */
export function nextControl(
  current: SessionControl,
  action: ControlAction,
  device: ControlDevice,
  now: number,
): SessionControl {
  switch (action) {
    case 'takeover':
    case 'reclaim':
      // The receiver (or the reclaiming owner) controls alone: every other device observes.
      return { state: 'controlled', controller: device, mirrors: [], since: now };
    case 'mirror':
      // In `open` everyone with the role already steers: a mirror changes nothing there.
      if (current.state === 'open') return current;
      if (
        current.controller.deviceId === device.deviceId ||
        current.mirrors.some((m) => m.deviceId === device.deviceId)
      )
        return current;
      return { ...current, mirrors: [...current.mirrors, device], since: now };
    case 'release':
      return OPEN_CONTROL;
  }
}
