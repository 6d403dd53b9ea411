import assert from 'node:assert/strict';

/** Registers a device with the owner token over HTTP and returns the device's own token. */
export async function registerDevice(
  server: { url: string; ownerToken: string },
  name: string,
): Promise<string> {
  const res = await fetch(server.url + '/api/devices', {
    method: 'POST',
    headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { token: string }).token;
}
