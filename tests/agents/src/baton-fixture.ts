import { rmSync } from 'node:fs';
import { startServer, type RunningServer } from '@baton/server';
import type { RunnerFactory } from '@baton/server';
import type { SessionInfo } from '@baton/protocol';
import { createClaudeRunnerFactory } from '../../../packages/server/dist/runners/claude/index.js';
import { createCodexRunnerFactory } from '../../../packages/server/dist/runners/codex/index.js';
import { Device } from './device.js';
import { CLAUDE_BIN, CODEX_BIN, tempDir } from './agent-env.js';

/** A real baton server on port 0 with the agent runners, plus devices connected to it. */
export class BatonFixture {
  readonly devices: Device[] = [];

  private constructor(
    readonly server: RunningServer,
    private readonly dataDir: string,
  ) {}

  static async start(
    options: { idleStopMs?: number; runners?: RunnerFactory[]; retentionEvents?: number } = {},
  ): Promise<BatonFixture> {
    const dataDir = tempDir('data');
    const idle = options.idleStopMs === undefined ? {} : { idleStopMs: options.idleStopMs };
    const server = await startServer({
      dataDir,
      port: 0,
      logLevel: process.env.BATON_LOG ? 'debug' : 'silent',
      ...(options.retentionEvents === undefined
        ? {}
        : { retentionEvents: options.retentionEvents }),
      runners: options.runners ?? [
        createClaudeRunnerFactory({ ...idle, binary: CLAUDE_BIN }),
        createCodexRunnerFactory({ ...idle, binary: CODEX_BIN }),
      ],
    });
    return new BatonFixture(server, dataDir);
  }

  async device(
    name: string,
    mode: 'tab' | 'mobile' | 'sidepanel' | 'cli' = 'tab',
  ): Promise<Device> {
    const d = await Device.register(this.server.url, this.server.ownerToken, name, mode);
    this.devices.push(d);
    return d;
  }

  async close(): Promise<void> {
    for (const d of this.devices) d.close();
    await this.server.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Creates an agent session from `device` and returns it. */
export async function createSession(
  device: Device,
  kind: 'claude' | 'codex',
  config: Record<string, unknown>,
): Promise<SessionInfo> {
  const { session } = await device.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind,
    name: `${kind} conformance`,
    config,
  });
  return session;
}
