/**
 * The device id of messages imported from a conversation baton adopted: the person typed them
 * into the agent's own CLI, before any device of this server was involved. No device is
 * registered under it (registered ids are generated), so its input ids never meet a real one.
 */
export const IMPORTED_DEVICE_ID = 'imported';
