import {
  CreatePairingBody,
  RedeemPairingBody,
  type PairingCreated,
  type PairingRedeemed,
} from '@baton/protocol';
import QRCode from 'qrcode';
import { BatonError } from '../../baton-error.js';
import { checkName } from '../../check-name.js';
import { normalizeCode } from '../../auth/grants.js';
import { PairingWatch } from '../../auth/pairing-watch.js';
import { newDeviceId } from '../../auth/tokens.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';
import { publicBaseUrl } from '../public-base-url.js';

/** A short code once normalized: ten characters of the grant alphabet. */
const SHORT_CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;

/**
 * Pairing a device: the owner asks for a short code and a QR of the pairing page's URL; the new
 * device redeems the code, without any credential, for a device token of its own with the role
 * (and the one session, if any) the code was issued for.
 */
export function pairingRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  const watch = new PairingWatch(deps.grants, deps.devices);
  return [
    {
      method: 'POST',
      pattern: /^\/api\/pairings$/,
      action: 'devices.manage',
      handler: async ({ req, res, device }) => {
        const b = await body(req, CreatePairingBody);
        checkName(b.name);
        // Throws not_found for an unknown session: a code for nothing would only fail later.
        if (b.sessionId !== undefined) deps.hub.get(b.sessionId);
        const { code, expiresAt } = await deps.grants.issue({
          kind: 'pair',
          length: 'short',
          role: b.role,
          createdBy: device.id,
          ...(b.sessionId !== undefined ? { sessionScope: b.sessionId } : {}),
          ...(b.ttlSeconds !== undefined ? { ttlMs: b.ttlSeconds * 1000 } : {}),
        });
        deps.audit.record({
          action: 'pair',
          deviceId: device.id,
          detail: {
            role: b.role,
            expiresAt,
            ...(b.sessionId !== undefined ? { sessionId: b.sessionId } : {}),
          },
        });
        const fragment = new URLSearchParams({ code });
        if (deps.tlsFingerprint) fragment.set('fp', deps.tlsFingerprint);
        // The code rides in the fragment: browsers never send it, so it reaches no server log
        // or proxy, and the pairing page reads it from there.
        const url = `${publicBaseUrl(req, deps.publicUrl, deps.listenHost)}/pair#${fragment.toString()}`;
        const id = watch.add(code, {
          expiresAt,
          role: b.role,
          ...(b.sessionId !== undefined ? { sessionId: b.sessionId } : {}),
          ...(b.name !== undefined ? { name: b.name } : {}),
        });
        const out: PairingCreated = {
          id,
          code,
          url,
          qrSvg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
          expiresAt,
          role: b.role,
        };
        if (b.sessionId !== undefined) out.sessionId = b.sessionId;
        if (deps.tlsFingerprint) out.fingerprint = deps.tlsFingerprint;
        if (b.name !== undefined) out.name = b.name;
        sendJson(res, 201, out);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/pairings\/(pr_[a-z2-7]{20})$/,
      action: 'devices.manage',
      handler: async ({ res, params }) => {
        const id = params[0]!;
        const state = await watch.state(id);
        if (!state)
          throw new BatonError(
            'not_found',
            `no pairing ${id}: it expired long ago or the server restarted`,
          );
        sendJson(res, 200, { id, ...state });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/pairings\/redeem$/,
      public: true,
      handler: async ({ req, res }) => {
        // Every attempt counts, before anything is read or looked up: a flood is refused
        // without touching the store.
        deps.redeemLimiter.attempt(req.socket.remoteAddress ?? 'unknown');
        const b = await body(req, RedeemPairingBody);
        checkName(b.deviceName);
        if (!SHORT_CODE.test(normalizeCode(b.code)))
          throw new BatonError(
            'not_found',
            'that is not a pairing code: it has ten letters and digits, like 7K3QD-M9XWT; ask the owner for a new one',
          );
        // The device id is chosen first so the grant records who spent it.
        const deviceId = newDeviceId();
        const grant = await deps.grants.redeem('pair', b.code, deviceId);
        const created = await deps.devices.register(
          b.deviceName,
          grant.role,
          grant.sessionScope,
          deviceId,
        );
        deps.audit.record({
          action: 'redeem',
          deviceId: created.deviceId,
          detail: {
            kind: 'pair',
            role: created.role,
            ...(grant.sessionScope !== undefined ? { sessionId: grant.sessionScope } : {}),
          },
        });
        const out: PairingRedeemed = {
          deviceId: created.deviceId,
          deviceToken: created.token,
          role: created.role,
        };
        if (created.sessionScope !== undefined) out.sessionScope = created.sessionScope;
        sendJson(res, 201, out);
      },
    },
  ];
}
