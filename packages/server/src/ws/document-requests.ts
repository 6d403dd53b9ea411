import type { ClientMessageOf } from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import type { DocumentWriter } from '../hub/documents/decide-write.js';
import { relayVolatile } from '../hub/documents/volatile-relay.js';
import type { DispatchContext } from './dispatch.js';

export type DocumentRequest = ClientMessageOf<
  'doc.get' | 'doc.list' | 'doc.write' | 'doc.resolve' | 'volatile'
>;

/**
 * Shared documents and volatile state (docs/protocol.md, "Shared documents"). Reading needs what
 * subscribing needs; writing and resolving need what input needs, from a writable attachment
 * when the connection is subscribed. Errors are thrown as BatonError and answered by `dispatch`.
 */
export async function handleDocumentRequest(
  ctx: DispatchContext,
  msg: DocumentRequest,
): Promise<void> {
  const { hub, peer } = ctx;
  const writer: DocumentWriter = {
    deviceId: peer.deviceId,
    connectionId: peer.connectionId,
    mode: peer.mode,
  };
  const audit = (action: string, detail: Record<string, unknown>): void =>
    ctx.audit.record({
      action,
      deviceId: peer.deviceId,
      connectionId: peer.connectionId,
      sessionId: msg.sessionId,
      detail,
    });
  const checkWritable = (): void => {
    ctx.check('session.input', msg.sessionId);
    if (ctx.attached.get(msg.sessionId)?.readOnly)
      throw new BatonError(
        'read_only',
        'this attachment is read-only: it cannot change documents (subscribe without readOnly)',
      );
  };
  switch (msg.type) {
    case 'doc.get':
      ctx.check('session.read', msg.sessionId);
      ctx.reply(msg.rid, { document: await hub.get(msg.sessionId).documents.get(msg.name) });
      return;
    case 'doc.list':
      ctx.check('session.read', msg.sessionId);
      ctx.reply(msg.rid, { documents: await hub.get(msg.sessionId).documents.list() });
      return;
    case 'doc.write': {
      checkWritable();
      const result = await hub.writeDocument(msg.sessionId, msg, writer);
      if (result.status === 'committed')
        audit('doc.write', {
          name: msg.name,
          version: result.document.version,
          seq: result.seq,
          conflicts: result.conflicts.length,
        });
      ctx.reply(msg.rid, result);
      return;
    }
    case 'doc.resolve': {
      checkWritable();
      const result = await hub.resolveDocument(msg.sessionId, msg, writer);
      audit('doc.resolve', {
        name: msg.name,
        field: msg.field,
        version: result.document.version,
        seq: result.seq,
      });
      ctx.reply(msg.rid, result);
      return;
    }
    case 'volatile':
      ctx.check('session.read', msg.sessionId);
      if (!ctx.attached.has(msg.sessionId))
        throw new BatonError(
          'not_subscribed',
          `subscribe to ${msg.sessionId} before sending volatile state to it`,
        );
      relayVolatile(hub.get(msg.sessionId), peer, msg);
      if (msg.rid !== undefined) ctx.reply(msg.rid, {});
      return;
  }
}
