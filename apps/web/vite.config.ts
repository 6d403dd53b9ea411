import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './build/precompress.js';
import { precacheList } from './build/precache-list.js';

/**
 * The web app is served by `baton serve` at `/` with a fallback to index.html for client
 * routes (`/s/<id>`), so assets are addressed from the root. `public/` holds the manifest,
 * icons and the service worker, copied as they are. The build also writes the service worker's
 * precache list and br/gzip copies of every text file, which the server picks by Accept-Encoding.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), precacheList(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
});
