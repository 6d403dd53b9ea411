import { z } from 'zod';

/**
 * What a device may do, enforced by the server on every WebSocket message and HTTP route.
 * - `owner`: everything, including pairing, changing roles, revoking and deleting sessions.
 * - `editor`: steer sessions: input, stop, interrupt, resize, answer permission prompts, rename,
 *   create and restart.
 * - `viewer`: read only: list, subscribe and fetch.
 * A device has one role; it can be narrowed (never widened) per session.
 */
export const Role = z.enum(['owner', 'editor', 'viewer']);
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

/** Whether `role` grants at least what `needed` grants. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** The lesser of two roles: a per-session role narrows a device's role, never widens it. */
export function narrowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * Every action the server checks, with the least role that may do it. Clients use the same
 * table to show only what the device may do; the server's check is the one that counts.
 */
export const ACTION_ROLE = {
  /** List sessions, subscribe, fetch events, see presence. */
  'session.read': 'viewer',
  'session.input': 'editor',
  'session.resize': 'editor',
  'session.interrupt': 'editor',
  'session.stop': 'editor',
  'session.restart': 'editor',
  'session.rename': 'editor',
  'session.answer': 'editor',
  'session.create': 'editor',
  'session.handoff': 'editor',
  /** Take control of a session back (owner) or release it (its controller); see SessionControl. */
  'session.control': 'editor',
  'session.delete': 'owner',
  /** Pair, rename other devices, change roles, revoke. */
  'devices.manage': 'owner',
  /** List devices (names, roles, last seen). */
  'devices.read': 'viewer',
  /**
   * Read the audit log. The least role by default; the owner may open it to editors or viewers
   * (`PUT /api/settings` `auditReadRole`), so the server's check reads the setting, not this table.
   */
  'audit.read': 'owner',
  /** Manage this device's own Web Push subscriptions (never another device's). */
  'push.manage': 'viewer',
  /** Change server settings (who may read the audit log). */
  'settings.manage': 'owner',
  /**
   * List the agent conversations on the server's host (Claude Code, Codex) and adopt one
   * (`AgentConfig.resume`): they are the host user's private transcripts.
   */
  'agents.adopt': 'owner',
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTION_ROLE;
