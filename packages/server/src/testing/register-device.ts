import assert from 'node:assert/strict';
import type { Role } from '@baton/protocol';

/**
 * Registers a device with the owner token over HTTP and returns the device's own token. Without
 * `role` the server's default applies.
 */
export async function registerDevice(
  server: { url: string; ownerToken: string },
  name: string,
  role?: Role,
): Promise<string> {
  const res = await fetch(server.url + '/api/devices', {
    method: 'POST',
    headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(role === undefined ? { name } : { name, role }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { token: string }).token;
}
