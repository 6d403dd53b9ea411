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

/** Whether this browser can give WebGL2, and whether it is drawn by a real GPU. */
function webglSupport(): { available: boolean; software: boolean } {
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
 * Loads the renderer chosen for `term` (already opened). The WebGL renderer falls back to the
 * DOM one for good when its context is lost (GPU reset, too many contexts in the browser) or
 * fails to load: xterm then draws with its built-in DOM renderer again. `onChange` is told the
 * renderer in use now and after any fallback. Returns the cleanup.
 */
export function loadRenderer(
  term: Terminal,
  onChange: (renderer: ActiveRenderer) => void,
): () => void {
  const choice = rendererChoice();
  const support = choice === 'dom' ? undefined : webglSupport();
  const useWebgl =
    support !== undefined && support.available && (choice === 'webgl' || !support.software);
  if (!useWebgl) {
    onChange('dom');
    return () => {};
  }
  let addon: WebglAddon | undefined = new WebglAddon();
  const fallBack = (): void => {
    addon?.dispose();
    addon = undefined;
    // The DOM renderer that takes over draws nothing until asked: draw the whole screen now.
    term.refresh(0, term.rows - 1);
    onChange('dom');
  };
  try {
    addon.onContextLoss(fallBack);
    term.loadAddon(addon);
    onChange('webgl');
  } catch {
    fallBack();
  }
  return () => addon?.dispose();
}
