import {
  isKnownLogEvent,
  type AgentCommand,
  type LogEvent,
  type MessageAttachment,
  type SessionKind,
} from '@baton/protocol';
import type { RunnerContext } from '../runner.js';
import { mergeSettings, settingsOf, type AgentSettings } from './agent-settings.js';

const PAGE = 1000;

/** A message waiting for a turn. */
export interface QueuedMessage {
  inputId: string;
  deviceId: string;
  text: string;
  attachments?: MessageAttachment[];
}

/**
 * The identity of an input for delivery: input ids are unique per device, so two devices that
 * both number their inputs 1, 2, 3 are distinct inputs.
 */
export function deliveryKey(deviceId: string, inputId: string): string {
  return `${deviceId}\n${inputId}`;
}

/** What a runner needs to know about its conversation when it (re)starts. */
export interface Recovered {
  /** The agent's own conversation id from the last `agent.bound`, if any. */
  agentSessionId: string | undefined;
  /** `deliveryKey` of every input seen (delivered or not): such an input is not taken twice. */
  seenInputIds: Set<string>;
  /** Message inputs no turn has answered yet, in log order. */
  undelivered: QueuedMessage[];
  /** A turn that started and never ended (its process is gone). */
  openTurnId: string | undefined;
  /** Permission requests never resolved (their process is gone). */
  openPermissions: string[];
  /** Permission requests already resolved. */
  resolvedPermissions: string[];
  /** The model and permission mode devices chose since the session was created. */
  settings: AgentSettings;
  /** The slash commands the agent last reported (`agent.commands`), if it did. */
  commands: AgentCommand[] | undefined;
}

/**
 * Reads the session's stored conversation (the projection's snapshot for what retention
 * compacted away, then every stored event) and works out where the conversation stands.
 */
export async function recoverFromLog(ctx: RunnerContext, kind: SessionKind): Promise<Recovered> {
  const events = new Map<number, LogEvent>();
  const snap = await ctx.latestSnapshot();
  if (snap.kind === 'agent')
    for (const e of snap.events) if (isKnownLogEvent(e)) events.set(e.seq, e);
  for (let after = 0; ;) {
    const page = await ctx.readEvents(after, PAGE);
    for (const e of page) events.set(e.seq, e);
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.seq;
  }
  const ordered = [...events.values()].sort((a, b) => a.seq - b.seq);

  const result: Recovered = {
    agentSessionId: undefined,
    seenInputIds: new Set(),
    undelivered: [],
    openTurnId: undefined,
    openPermissions: [],
    resolvedPermissions: [],
    settings: {},
    commands: undefined,
  };
  const delivered = new Set<string>();
  /** Ids from `input.delivered` events written before they named the device. */
  const deliveredAnyDevice = new Set<string>();
  const inputs: QueuedMessage[] = [];
  const openPermissions = new Set<string>();
  for (const e of ordered) {
    switch (e.type) {
      case 'agent.bound':
        if (e.data.agent === kind) result.agentSessionId = e.data.agentSessionId;
        break;
      case 'input':
        result.seenInputIds.add(deliveryKey(e.data.deviceId, e.data.inputId));
        // A sealed input never reaches here: agents run on servers and hosts, in the clear.
        if (e.data.payload.kind === 'message' && 'text' in e.data.payload) {
          const { text, attachments } = e.data.payload;
          inputs.push({
            inputId: e.data.inputId,
            deviceId: e.data.deviceId,
            text,
            ...(attachments !== undefined ? { attachments } : {}),
          });
        }
        break;
      case 'input.delivered':
        if (e.data.deviceId === undefined) deliveredAnyDevice.add(e.data.inputId);
        else delivered.add(deliveryKey(e.data.deviceId, e.data.inputId));
        break;
      case 'agent.turn.started':
        result.openTurnId = e.data.turnId;
        break;
      case 'agent.turn.ended':
        if (result.openTurnId === e.data.turnId) result.openTurnId = undefined;
        break;
      case 'agent.permission.requested':
        openPermissions.add(e.data.requestId);
        break;
      case 'agent.permission.resolved':
        openPermissions.delete(e.data.requestId);
        result.resolvedPermissions.push(e.data.requestId);
        break;
      case 'agent.settings.changed':
        result.settings = mergeSettings(result.settings, settingsOf(e));
        break;
      case 'agent.commands':
        result.commands = e.data.commands;
        break;
      default:
        break;
    }
  }
  result.undelivered = inputs.filter(
    (i) => !delivered.has(deliveryKey(i.deviceId, i.inputId)) && !deliveredAnyDevice.has(i.inputId),
  );
  result.openPermissions = [...openPermissions];
  return result;
}
