export { BatonContext } from './baton-context.js';
export { BatonProvider } from './baton-provider.js';
export type { BatonProviderProps } from './baton-provider.js';
export { useBatonClient } from './use-baton-client.js';
export { useConnection } from './use-connection.js';
export { useSessions } from './use-sessions.js';
export { useSession } from './use-session.js';
export type { UseSessionOptions } from './use-session.js';
export { usePresence } from './use-presence.js';
