import { BatonApi } from '../baton-api.js';
import { protocolOf, type ClientSpec, type SystemName } from '../drivers/connection.js';
import type { ServerProcess } from '../server-process.js';

/** The shape of one scenario's population. */
export interface TopologySpec {
  /** Devices attached to a session, spread evenly over `sessions`. */
  devices: number;
  sessions: number;
  /** Extra connections that say hello and then sit idle. */
  idle: number;
}

/** The devices of a scenario, ready to hand to the load generators. */
export interface Topology {
  specs: ClientSpec[];
  /** Session id (baton) or room name, per session index. */
  rooms: string[];
  /** Devices attached to each room. */
  attached: Map<string, number>;
  /** Indices of attached devices per session index. */
  members: number[][];
}

/**
 * Baton devices are registered up to this many; beyond it, connections share device
 * credentials (several windows of one device), which costs the server nothing extra per socket.
 */
const MAX_DEVICE_TOKENS = 1000;

/** Builds the population; for baton, registers devices and creates sessions over HTTP first. */
export async function buildTopology(
  system: SystemName,
  server: ServerProcess,
  spec: TopologySpec,
  sessionKind = 'claude',
): Promise<Topology> {
  const rooms: string[] = [];
  const tokens: string[] = [];
  if (protocolOf(system) === 'baton') {
    const { httpUrl, ownerToken } = server.info;
    if (!httpUrl || !ownerToken) throw new Error('baton server did not report its HTTP URL/token');
    const api = new BatonApi(httpUrl, ownerToken);
    for (let s = 0; s < spec.sessions; s++)
      rooms.push(await api.createSession(sessionKind, `bench ${s}`));
    const wanted = Math.min(MAX_DEVICE_TOKENS, spec.devices + spec.idle);
    for (let d = 0; d < wanted; d++) tokens.push(await api.registerDevice(`bench device ${d}`));
  } else {
    for (let s = 0; s < spec.sessions; s++) rooms.push(`room-${s}`);
    tokens.push('');
  }
  const specs: ClientSpec[] = [];
  const members: number[][] = rooms.map(() => []);
  const attached = new Map<string, number>();
  for (let i = 0; i < spec.devices + spec.idle; i++) {
    const subscribe = i < spec.devices;
    const s = i % spec.sessions;
    const room = rooms[s] ?? '';
    specs.push({ index: i, room, token: tokens[i % tokens.length] ?? '', subscribe });
    if (subscribe) {
      members[s]?.push(i);
      attached.set(room, (attached.get(room) ?? 0) + 1);
    }
  }
  return { specs, rooms, attached, members };
}
