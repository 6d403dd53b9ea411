import type { Plugin } from 'vite';

/** Where the list is served; public/sw.js reads it (keep the two in step). */
export const PRECACHE_LIST = 'precache.json';

/**
 * Emits `precache.json`: every hashed file of the build (`/assets/…`, source maps left out).
 * The service worker caches them all, lazily loaded chunks included, so a session of any kind
 * opens offline even if this window never loaded its code online. index.html names only the
 * entry chunk, so reading it (as the worker did before the split by route) is not enough.
 */
export function precacheList(): Plugin {
  return {
    name: 'baton:precache-list',
    apply: 'build',
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle)
        .filter((name) => name.startsWith('assets/') && !name.endsWith('.map'))
        .sort()
        .map((name) => `/${name}`);
      this.emitFile({
        type: 'asset',
        fileName: PRECACHE_LIST,
        source: `${JSON.stringify({ assets }, null, 2)}\n`,
      });
    },
  };
}
