import type { ScreenState } from './headless-screen.js';

/**
 * A terminal screen fed in order: writes and resizes apply in call order, and `snapshot`
 * describes exactly the calls made before it. Implemented in-process by HeadlessScreen and off
 * the main thread by a screen worker.
 */
export interface Screen {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  restore(state: ScreenState): void;
  snapshot(): Promise<ScreenState>;
  dispose(): void;
}
