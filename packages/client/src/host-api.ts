import { HostListResponse, describeZodError } from '@baton/protocol';
import { BatonError } from './baton-error.js';
import { requestJson, type HttpFetch } from './http-json.js';

/**
 * The hosts of a relay (`GET /api/hosts`, docs/relay.md), with sessions or without: each with
 * its online state, when it was last seen and how many of its sessions this token sees. Offer
 * them where a new session names its host (`config.host`); `relay: false` (and no hosts) on a
 * server that runs its sessions itself. A server from before the listing answers `not_found`:
 * take the hosts from the session list's `SessionInfo.host` then.
 *
 * @example
 * const { relay, hosts } = await listHosts('http://127.0.0.1:7777', token);
 */
export async function listHosts(
  baseUrl: string,
  token: string,
  fetchImpl?: HttpFetch,
): Promise<HostListResponse> {
  const answer = await requestJson(baseUrl, 'GET', '/api/hosts', {
    token,
    ...(fetchImpl ? { fetchImpl } : {}),
  });
  const r = HostListResponse.safeParse(answer);
  if (!r.success)
    throw new BatonError('bad_reply', `GET /api/hosts answered: ${describeZodError(r.error)}`);
  return r.data;
}
