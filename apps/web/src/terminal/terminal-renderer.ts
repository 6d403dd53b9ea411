import type { Terminal } from '@xterm/xterm';
import { WebglAddon } from '@xterm/addon-webgl';

/**
 * Which renderer draws a terminal, like VS Code's `terminal.integrated.gpuAcceleration`:
 * - `auto` (default): WebGL when the browser has a hardware WebGL2 context, else the DOM.
 *   A software WebGL (SwiftShader, llvmpipe: no GPU, or the GPU blocklisted) draws on the CPU
 *   and is slower than the DOM renderer, so it counts as unavailable.
 * - `webgl`: WebGL whenever a WebGL2 context can be had, software or not.
 * - `dom`: always the DOM renderer.
 * Stored per browser in localStorage under `RENDERER_KEY`; anything else reads as `auto`.
 */
export type RendererChoice = 'auto' | 'webgl' | 'dom';
export const RENDERER_KEY = 'baton.terminal.renderer';

/** The renderer in use, for the page to show (and tests to read): `data-renderer`. */
export type ActiveRenderer = 'webgl' | 'dom';

export function rendererChoice(): RendererChoice {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(RENDERER_KEY);
  } catch {
    // Storage may be unavailable (private mode, blocked): the default applies.
  }
  return stored === 'webgl' || stored === 'dom' ? stored : 'auto';
}

/** Asked once per page: the answer costs a context, and a GPU seldom comes or goes meanwhile. */
let support: { available: boolean; software: boolean } | undefined;

/** Whether this browser can give WebGL2, and whether it is drawn by a real GPU. */
function webglSupport(): { available: boolean; software: boolean } {
  support ??= probeWebgl();
  return support;
}

function probeWebgl(): { available: boolean; software: boolean } {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return { available: false, software: false };
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, software: /swiftshader|llvmpipe|software/i.test(name) };
  } catch {
    return { available: false, software: false };
  }
}

/**
 * Loads the renderer chosen for `term` (already opened). The terminal first draws with xterm's
 * built-in DOM renderer; the WebGL one, when chosen and available, takes over after the first
 * frame has been painted: finding out whether WebGL2 is there and drawn by a GPU means creating
 * a context (tens of milliseconds, more without a GPU), which would otherwise delay the first
 * screen of every terminal. The WebGL renderer falls back to the DOM one for good when its
 * context is lost (GPU reset, too many contexts in the browser) or fails to load. `onChange` is
 * told the renderer in use now and after any change. Returns the cleanup.
 */
export function loadRenderer(
  term: Terminal,
  onChange: (renderer: ActiveRenderer) => void,
): () => void {
  onChange('dom');
  const choice = rendererChoice();
  if (choice === 'dom') return () => {};
  let addon: WebglAddon | undefined;
  let disposed = false;
  const fallBack = (): void => {
    addon?.dispose();
    addon = undefined;
    // The DOM renderer that takes over draws nothing until asked: draw the whole screen now.
    term.refresh(0, term.rows - 1);
    onChange('dom');
  };
  const upgrade = (): void => {
    if (disposed) return;
    const { available, software } = webglSupport();
    if (!available || (choice === 'auto' && software)) return;
    addon = new WebglAddon();
    try {
      addon.onContextLoss(fallBack);
      term.loadAddon(addon);
      onChange('webgl');
    } catch {
      fallBack();
    }
  };
  // After the next frame is painted: a timer set in a frame callback runs after that frame.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(upgrade, 0);
  });
  return () => {
    disposed = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    addon?.dispose();
  };
}
