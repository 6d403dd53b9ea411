import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './paths.js';

/** What the scripted Anthropic API answers to the next model call (tests/agents/src/fake-anthropic.ts). */
export type ModelStep =
  | { kind: 'text'; text: string; chunks?: number; delayMs?: number; holdAfterChunks?: number }
  | { kind: 'tool'; name: string; input: Record<string, unknown> }
  | { kind: 'plan'; plan: string }
  | { kind: 'error'; status: number; message: string };

/** The scripted model API the agent conformance suite uses, shared here rather than copied. */
export interface ScriptedModelApi {
  readonly url: string;
  script(...steps: ModelStep[]): void;
  /** Lets a reply scripted with `holdAfterChunks` go on. */
  release(): void;
  /** Bodies of the model calls received so far. */
  modelCalls(): unknown[];
  close(): Promise<void>;
}

/**
 * Starts tests/agents' fake Anthropic API. Loaded at run time from its build output so this
 * suite does not compile against that package (build it with `npx tsc -b tests/agents`).
 */
export async function startFakeAnthropic(): Promise<ScriptedModelApi> {
  const file = join(REPO_ROOT, 'tests', 'agents', 'dist', 'fake-anthropic.js');
  let mod: { FakeAnthropic: new () => { start(): Promise<ScriptedModelApi> } };
  try {
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (error) {
    throw new Error(
      `cannot load ${file}: build it with 'npx tsc -b tests/agents' (${String(error)})`,
    );
  }
  return new mod.FakeAnthropic().start();
}
