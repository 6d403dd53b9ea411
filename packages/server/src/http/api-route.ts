import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Action, Role } from '@baton/protocol';
import type { AuthenticatedDevice } from '../auth/device-registry.js';

/** What a route handler gets: the request, its path parameters and the device making it. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The pattern's capture groups, in order (raw, not yet validated). */
  params: string[];
  url: URL;
  /** The device the bearer token belongs to; `anonymous` on public routes. */
  device: AuthenticatedDevice;
  /** The device's role for this route's action (its role on the session for session routes). */
  role: Role;
}

/**
 * One route of the HTTP API. The router authenticates and checks `action` before the handler
 * runs, so a handler never sees a request its device may not make.
 */
export interface ApiRoute {
  method: string;
  pattern: RegExp;
  /** Needs no bearer token (health, the OpenAPI document, redeeming a pairing code). */
  public?: boolean;
  /** The action checked against the device's role (see ACTION_ROLE); required unless public. */
  action?: Action;
  /** The first capture group is a session id: the action is checked on that session. */
  sessionParam?: boolean;
  handler(ctx: RouteContext): Promise<void>;
}
