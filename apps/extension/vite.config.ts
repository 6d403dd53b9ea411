import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The Chrome extension, built from the web app's components (imported from apps/web/src, not
 * copied). Three entries: the popup and the side panel pages, and the service worker, which
 * the manifest names by a fixed file name. Extension pages forbid inline scripts (MV3's content
 * security policy), which Vite's output has none of. `public/` holds the manifest and icons.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        popup: here('popup.html'),
        sidepanel: here('sidepanel.html'),
        'service-worker': here('src/background/service-worker.ts'),
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'service-worker' ? 'service-worker.js' : 'assets/[name]-[hash].js',
      },
    },
  },
});
