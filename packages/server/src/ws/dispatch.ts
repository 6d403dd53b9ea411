import {
  roleAtLeast,
  type Action,
  type ClientMessage,
  type ErrorCode,
  type RequestId,
  type Role,
  sealedTerminalChecks,
} from '@baton/protocol';
import type { AuditLog } from '../audit/audit-log.js';
import { eventFor } from '../hub/legacy-events.js';
import { BatonError } from '../baton-error.js';
import { checkName } from '../check-name.js';
import { checkFetchPosition } from '../hub/log-position.js';
import type { SessionHub } from '../hub/session-hub.js';
import type { Peer } from '../hub/peer.js';
import { handleDocumentRequest } from './document-requests.js';

export interface DispatchContext {
  hub: SessionHub;
  peer: Peer;
  /**
   * Sessions this connection subscribed to: whether it asked to watch read-only, and whether it
   * is read-only now (it asked, or its role on the session may not write; recomputed when the
   * device's role changes).
   */
  attached: Map<string, Attachment>;
  /** Control actions are recorded here once they succeeded. */
  audit: AuditLog;
  /**
   * Throws unless this connection's device may do `action` (on `sessionId`); returns its role.
   * Asked before every action: the server, not the client, decides what a device may do.
   */
  check(action: Action, sessionId?: string): Role;
  reply(rid: RequestId, result: unknown): void;
  /** Records whether this window's page is visible (see `visibility` in docs/protocol.md). */
  setVisible(visible: boolean): void;
  error(
    fields: { rid?: RequestId; sessionId?: string; inputId?: string },
    code: ErrorCode,
    message: string,
    retryAfterMs?: number,
    requiredRole?: Role,
  ): void;
}

/**
 * Handles one validated message after `hello`. Every request gets exactly one `reply` or
 * `error` with its `rid`; inputs get exactly one `ack` or `error` with their `inputId`.
 */
export interface Attachment {
  requestedReadOnly: boolean;
  readOnly: boolean;
}

export async function dispatch(
  ctx: DispatchContext,
  msg: Exclude<ClientMessage, { type: 'hello' | 'goodbye' }>,
): Promise<void> {
  const { hub, peer } = ctx;
  const actor = { deviceId: peer.deviceId, connectionId: peer.connectionId };
  const audit = (action: string, sessionId?: string, detail?: Record<string, unknown>): void => {
    const entry: Parameters<AuditLog['record']>[0] = { action, ...actor };
    if (sessionId !== undefined) entry.sessionId = sessionId;
    if (detail !== undefined) entry.detail = detail;
    ctx.audit.record(entry);
  };
  try {
    switch (msg.type) {
      case 'ping':
        peer.send(
          JSON.stringify(
            msg.rid === undefined
              ? { type: 'pong', t: Date.now() }
              : { type: 'pong', rid: msg.rid, t: Date.now() },
          ),
        );
        return;
      case 'visibility':
        ctx.setVisible(msg.visible);
        if (msg.rid !== undefined) ctx.reply(msg.rid, {});
        return;
      case 'sessions.watch':
        ctx.check('session.read');
        ctx.reply(msg.rid, { sessions: hub.watch(peer) });
        return;
      case 'sessions.unwatch':
        hub.unwatch(peer.connectionId);
        ctx.reply(msg.rid, {});
        return;
      case 'session.create': {
        ctx.check('session.create');
        if (msg.config && 'resume' in msg.config) ctx.check('agents.adopt');
        checkName(msg.name);
        const session = await hub.create(msg.kind, msg.name, msg.config ?? {});
        audit('session.create', session.id, { kind: session.kind, name: session.name });
        ctx.reply(msg.rid, { session });
        return;
      }
      case 'session.rename': {
        ctx.check('session.rename', msg.sessionId);
        checkName(msg.name);
        const from = hub.get(msg.sessionId).name;
        const session = await hub.rename(msg.sessionId, msg.name);
        audit('session.rename', msg.sessionId, { from, to: session.name });
        ctx.reply(msg.rid, { session });
        return;
      }
      case 'session.stop': {
        ctx.check('session.stop', msg.sessionId);
        const session = await hub.stop(msg.sessionId);
        audit('session.stop', msg.sessionId);
        ctx.reply(msg.rid, { session });
        return;
      }
      case 'session.restart': {
        ctx.check('session.restart', msg.sessionId);
        const session = await hub.restart(msg.sessionId);
        audit('session.restart', msg.sessionId);
        ctx.reply(msg.rid, { session });
        return;
      }
      case 'session.delete': {
        ctx.check('session.delete', msg.sessionId);
        const name = hub.get(msg.sessionId).name;
        await hub.delete(msg.sessionId);
        audit('session.delete', msg.sessionId, { name });
        ctx.attached.delete(msg.sessionId);
        ctx.reply(msg.rid, { deleted: true });
        return;
      }
      case 'subscribe': {
        const role = ctx.check('session.read', msg.sessionId);
        const following = hub.followedUpTo(msg.sessionId, msg.afterSeq);
        if (following) await following;
        const session = hub.get(msg.sessionId);
        // A device that may not type watches read-only, so presence shows it as watching.
        const requestedReadOnly = msg.readOnly ?? false;
        const readOnly = requestedReadOnly || !roleAtLeast(role, 'editor');
        ctx.attached.set(msg.sessionId, { requestedReadOnly, readOnly });
        // The reply is sent synchronously here; replay starts on a later tick (LiveSession),
        // so the client always sees the reply before the first replayed event.
        const { headSeq } = session.subscribe(peer, msg.afterSeq, readOnly, msg.epoch);
        ctx.reply(msg.rid, { session: session.info(), headSeq, epoch: session.epoch });
        return;
      }
      case 'unsubscribe':
        ctx.check('session.read', msg.sessionId);
        hub.get(msg.sessionId).unsubscribe(peer.connectionId);
        ctx.attached.delete(msg.sessionId);
        ctx.reply(msg.rid, {});
        return;
      case 'fetch': {
        ctx.check('session.read', msg.sessionId);
        const following = hub.followedUpTo(msg.sessionId, msg.afterSeq);
        if (following) await following;
        const session = hub.get(msg.sessionId);
        const head = { epoch: session.epoch, headSeq: session.committedSeq };
        checkFetchPosition(head, msg.afterSeq, msg.epoch, peer.protocolVersion);
        const read = await session.readCommitted(msg.afterSeq, msg.limit ?? 1000);
        ctx.reply(msg.rid, {
          events: read.events.map((e) => eventFor(peer.protocolVersion, e)),
          headSeq: read.headSeq,
          epoch: read.epoch,
          compacted: read.compacted,
        });
        return;
      }
      case 'input': {
        ctx.check('session.input', msg.sessionId);
        const attachment = ctx.attached.get(msg.sessionId);
        const result = await hub.submitInput(
          msg.sessionId,
          actor,
          msg.inputId,
          msg.payload,
          attachment?.readOnly ?? false,
          sealedTerminalChecks(msg),
        );
        if (!result.duplicate && result.ignored === undefined)
          ctx.audit.recordInput(
            { ...actor, sessionId: msg.sessionId },
            result.seq,
            msg.payload.kind,
          );
        peer.send(
          JSON.stringify({
            type: 'ack',
            sessionId: msg.sessionId,
            inputId: msg.inputId,
            seq: result.seq,
            duplicate: result.duplicate,
            ...(result.ignored !== undefined ? { ignored: result.ignored } : {}),
          }),
        );
        return;
      }
      case 'input.withdraw': {
        ctx.check('session.input', msg.sessionId);
        const attachment = ctx.attached.get(msg.sessionId);
        const result = await hub.withdrawInput(
          msg.sessionId,
          actor,
          msg.inputId,
          attachment?.readOnly ?? false,
        );
        if (!result.duplicate)
          audit('input.withdraw', msg.sessionId, { inputId: msg.inputId, seq: result.seq });
        ctx.reply(msg.rid, result);
        return;
      }
      case 'resize': {
        ctx.check('session.resize', msg.sessionId);
        const attachment = ctx.attached.get(msg.sessionId);
        if (!attachment)
          throw new BatonError(
            'not_subscribed',
            `subscribe to ${msg.sessionId} before resizing it`,
          );
        const forwarded = hub.resize(
          msg.sessionId,
          peer.connectionId,
          { cols: msg.cols, rows: msg.rows },
          attachment.readOnly,
          msg.fitToMe,
        );
        if (forwarded) await forwarded;
        if (msg.rid !== undefined) ctx.reply(msg.rid, {});
        return;
      }
      case 'interrupt': {
        ctx.check('session.interrupt', msg.sessionId);
        const attachment = ctx.attached.get(msg.sessionId);
        await hub.interrupt(msg.sessionId, attachment?.readOnly ?? false, peer.deviceId);
        audit('session.interrupt', msg.sessionId);
        ctx.reply(msg.rid, {});
        return;
      }
      case 'agent.settings': {
        ctx.check('session.input', msg.sessionId);
        const change: { model?: string; permissionMode?: string } = {};
        if (msg.model !== undefined) change.model = msg.model;
        if (msg.permissionMode !== undefined) change.permissionMode = msg.permissionMode;
        const seq = await hub.changeAgentSettings(
          msg.sessionId,
          actor,
          change,
          ctx.attached.get(msg.sessionId)?.readOnly ?? false,
        );
        audit('agent.settings', msg.sessionId, { ...change, seq });
        ctx.reply(msg.rid, { seq });
        return;
      }
      case 'doc.get':
      case 'doc.list':
      case 'doc.write':
      case 'doc.resolve':
      case 'volatile':
        await handleDocumentRequest(ctx, msg);
        return;
      case 'permission.answer': {
        ctx.check('session.answer', msg.sessionId);
        const attachment = ctx.attached.get(msg.sessionId);
        if (attachment?.readOnly)
          throw new BatonError(
            'read_only',
            'this attachment is read-only: it cannot answer permission requests',
          );
        const seq = await hub.answerPermission(msg.sessionId, actor, msg.requestId, msg.answer);
        audit('permission.answer', msg.sessionId, {
          requestId: msg.requestId,
          decision: msg.answer.decision,
          seq,
        });
        ctx.reply(msg.rid, { seq });
        return;
      }
    }
  } catch (err) {
    const fields: { rid?: RequestId; sessionId?: string; inputId?: string } = {};
    if ('rid' in msg && msg.rid !== undefined) fields.rid = msg.rid;
    if ('sessionId' in msg) fields.sessionId = msg.sessionId;
    if (msg.type === 'input') fields.inputId = msg.inputId;
    if (err instanceof BatonError) {
      ctx.error(fields, err.code, err.message, err.retryAfterMs, err.requiredRole);
    } else {
      ctx.error(
        fields,
        'internal',
        `the server failed to handle '${msg.type}': ${(err as Error).message}`,
      );
    }
  }
}
