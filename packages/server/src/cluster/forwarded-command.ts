import {
  ConnectionMode,
  ControlAction,
  ControlDevice,
  WireInputPayload,
  PermissionDecision,
  ResolveDocument,
  Role,
  WriteDocument,
} from '@baton/protocol';
import { z } from 'zod';

/** Who writes a shared document (hub/documents/decide-write.ts DocumentWriter). */
const DocumentWriterSchema = z.object({
  deviceId: z.string(),
  connectionId: z.string(),
  mode: ConnectionMode,
});

/**
 * What a node that does not own a session asks its owner to do, as stored in
 * `forwarded_commands.body`. The asking node has already checked the device's rights; the owner
 * runs it as if the device had asked it directly.
 */
export const ForwardedCommand = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('input'),
    deviceId: z.string(),
    connectionId: z.string().optional(),
    inputId: z.string(),
    payload: WireInputPayload,
    readOnly: z.boolean(),
  }),
  z.object({
    op: z.literal('withdraw'),
    deviceId: z.string(),
    inputId: z.string(),
    readOnly: z.boolean(),
  }),
  z.object({ op: z.literal('interrupt'), deviceId: z.string(), readOnly: z.boolean() }),
  z.object({
    op: z.literal('permission'),
    deviceId: z.string(),
    requestId: z.string(),
    answer: PermissionDecision,
  }),
  z.object({
    op: z.literal('settings'),
    deviceId: z.string(),
    model: z.string().optional(),
    permissionMode: z.string().optional(),
    readOnly: z.boolean(),
  }),
  z.object({ op: z.literal('rename'), name: z.string() }),
  z.object({
    op: z.literal('resize'),
    connectionId: z.string(),
    cols: z.number(),
    rows: z.number(),
    readOnly: z.boolean(),
    fitToMe: z.boolean().optional(),
  }),
  z.object({ op: z.literal('doc.write'), writer: DocumentWriterSchema, message: WriteDocument }),
  z.object({
    op: z.literal('doc.resolve'),
    writer: DocumentWriterSchema,
    message: ResolveDocument,
  }),
  z.object({
    op: z.literal('control'),
    action: ControlAction,
    device: ControlDevice,
    /** The asker's role on the session: who may release or reclaim is checked by the owner. */
    role: Role.optional(),
  }),
  z.object({ op: z.literal('stop') }),
  z.object({ op: z.literal('restart') }),
  z.object({ op: z.literal('delete') }),
]);
export type ForwardedCommand = z.infer<typeof ForwardedCommand>;

/**
 * The owner's answer: the head to wait for (every event the command made is at or below it),
 * the input's own result for an input, the reply a client gets for a document write or resolve
 * or a control change (`reply`, parsed by the asking node with the reply's own schema), or the
 * error to give the client.
 */
export const ForwardedAnswer = z.union([
  z.object({
    seq: z.number(),
    duplicate: z.boolean().optional(),
    ignored: z.string().optional(),
    reply: z.unknown().optional(),
  }),
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      // As the client would get them from the owner itself (BatonError).
      retryAfterMs: z.number().optional(),
      requiredRole: Role.optional(),
    }),
  }),
]);
export type ForwardedAnswer = z.infer<typeof ForwardedAnswer>;

/** The owner's error, as the asking node gives it to its client. */
export type ForwardedError = Extract<ForwardedAnswer, { error: unknown }>['error'];

/** A command's outcome when it succeeded. */
export type ForwardedResult = Exclude<ForwardedAnswer, { error: unknown }>;
