import { BatonClient } from '@baton/client';
import { WebSocket } from 'ws';

/**
 * A device outside the browser (like the CLI) that connects with the owner token. Used to set
 * up what a browser cannot (session config such as the agent binary or a system prompt).
 */
export async function nodeDevice(url: string, ownerToken: string): Promise<BatonClient> {
  const client = new BatonClient({
    url: url.replace(/^http/, 'ws') + '/v1/ws',
    token: ownerToken,
    mode: 'cli',
    label: 'browser test',
    WebSocket: WebSocket as never,
  });
  client.connect();
  await client.whenConnected();
  return client;
}
