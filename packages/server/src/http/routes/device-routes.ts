import {
  PatchDeviceBody,
  RegisterDeviceBody,
  SessionId,
  SessionRoleBody,
  describeZodError,
  type DeviceListing,
  type Role,
} from '@baton/protocol';
import { OWNER_DEVICE } from '../../auth/device-registry.js';
import { BatonError } from '../../baton-error.js';
import { checkName } from '../../check-name.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute, RouteContext } from '../api-route.js';
import { sendJson } from '../json-response.js';

const BUILT_IN_OWNER =
  'the built-in owner (the owner token) cannot be revoked, renamed or given another role; to cut it off, start the server with a new BATON_TOKEN';

/**
 * Registering, listing, renaming, changing the role of and revoking devices. Every change is
 * refused whole (nothing stored changes) when it is not allowed, is written to the store first,
 * then recorded in the audit log, then applied to the device's open connections at once.
 *
 * Who may do what: the owner role manages every device but the built-in owner; any device may
 * rename itself, and nothing else about itself (no device changes its own role). A caller that
 * may not manage devices learns nothing about which ids exist: it is refused before the lookup.
 */
export function deviceRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  const { devices, access, audit } = deps;

  /** The target device id; the built-in owner is refused for every change. */
  const target = (ctx: RouteContext): string => {
    const id = ctx.params[0]!;
    if (id === OWNER_DEVICE.id) throw new BatonError('forbidden', BUILT_IN_OWNER);
    return id;
  };
  const mustExist = (id: string): void => {
    if (!devices.current(id))
      throw new BatonError('not_found', `no active device ${id}; GET /api/devices lists them`);
  };
  /**
   * Sets (or, with null, removes) a device's role on one session: audited and applied to its
   * open sockets when it changed anything.
   */
  const changeSessionRole = async (ctx: RouteContext, role: Role | null): Promise<void> => {
    const id = target(ctx);
    notSelf(ctx, id);
    mustExist(id);
    const sessionId = sessionOf(ctx.params[1]!);
    const before = devices.sessionRolesOf(id)[sessionId];
    if (before !== undefined || role !== null) {
      await devices.setSessionRole(id, sessionId, role);
      audit.record({
        action: 'device.session-role',
        deviceId: ctx.device.id,
        sessionId,
        detail: { device: id, from: before ?? null, to: role },
      });
      deps.onDeviceChanged(id);
    }
    sendJson(ctx.res, 200, { device: listingOf(deps, id) });
  };
  const notSelf = (ctx: RouteContext, id: string): void => {
    if (id === ctx.device.id)
      throw new BatonError(
        'forbidden',
        'a device cannot change its own role; ask the owner to change it',
        undefined,
        'owner',
      );
  };
  const sessionOf = (raw: string): string => {
    const parsed = SessionId.safeParse(raw);
    if (!parsed.success)
      throw new BatonError('not_found', `no session ${raw}: ${describeZodError(parsed.error)}`);
    deps.hub.get(parsed.data);
    return parsed.data;
  };

  return [
    {
      method: 'POST',
      pattern: /^\/api\/devices$/,
      action: 'devices.manage',
      handler: async ({ req, res, device }) => {
        const b = await body(req, RegisterDeviceBody);
        checkName(b.name);
        const created = await devices.register(b.name, b.role ?? 'owner');
        audit.record({
          action: 'device.register',
          deviceId: device.id,
          detail: { device: created.deviceId, name: created.name, role: created.role },
        });
        sendJson(res, 201, created);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/devices$/,
      action: 'devices.read',
      handler: ({ res }) => {
        sendJson(res, 200, { devices: devices.list().map((d) => withLive(deps, d)) });
        return Promise.resolve();
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/api\/devices\/([^/]+)$/,
      // Any device may rename itself; the handler asks for devices.manage for anything else.
      action: 'devices.read',
      handler: async (ctx) => {
        const id = target(ctx);
        const b = await body(ctx.req, PatchDeviceBody);
        if (b.role !== undefined) notSelf(ctx, id);
        if (id !== ctx.device.id) access.check(ctx.device.id, 'devices.manage');
        mustExist(id);
        checkName(b.name);
        const before = devices.current(id)!;
        const patch: { name?: string; role?: Role } = {};
        if (b.name !== undefined && b.name !== before.name) patch.name = b.name;
        if (b.role !== undefined && b.role !== before.role) patch.role = b.role;
        if (patch.name !== undefined || patch.role !== undefined) {
          if (!(await devices.update(id, patch)))
            throw new BatonError('not_found', `no active device ${id}`);
          if (patch.name !== undefined)
            audit.record({
              action: 'device.rename',
              deviceId: ctx.device.id,
              detail: { device: id, from: before.name, to: patch.name },
            });
          if (patch.role !== undefined)
            audit.record({
              action: 'device.role',
              deviceId: ctx.device.id,
              detail: { device: id, name: before.name, from: before.role, to: patch.role },
            });
          deps.onDeviceChanged(id);
        }
        sendJson(ctx.res, 200, { device: listingOf(deps, id) });
      },
    },
    {
      method: 'PUT',
      pattern: /^\/api\/devices\/([^/]+)\/sessions\/([^/]+)$/,
      action: 'devices.manage',
      handler: async (ctx) => changeSessionRole(ctx, (await body(ctx.req, SessionRoleBody)).role),
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/devices\/([^/]+)\/sessions\/([^/]+)$/,
      action: 'devices.manage',
      handler: (ctx) => changeSessionRole(ctx, null),
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/devices\/([^/]+)$/,
      action: 'devices.manage',
      handler: async (ctx) => {
        const id = target(ctx);
        const name = devices.current(id)?.name;
        if (!(await devices.revoke(id)))
          throw new BatonError('not_found', `no active device ${id}; GET /api/devices lists them`);
        audit.record({
          action: 'device.revoke',
          deviceId: ctx.device.id,
          detail: { device: id, name },
        });
        deps.onDeviceRevoked(id);
        sendJson(ctx.res, 200, { revoked: true });
      },
    },
  ];
}

/** One device as listed after a change. */
function listingOf(deps: ApiDeps, id: string): DeviceListing | undefined {
  const d = deps.devices.list().find((x) => x.id === id);
  return d && withLive(deps, d);
}

/** A device with its open connections: how many, and their modes before the remembered ones. */
function withLive(deps: ApiDeps, d: ReturnType<ApiDeps['devices']['list']>[number]): DeviceListing {
  const live = deps.liveModes(d.id);
  const modes = [...new Set([...live, ...d.modes])] as DeviceListing['modes'];
  return { ...d, online: live.length, modes };
}
