// baton's service worker: keeps the app shell so an installed app opens without the server.
//
// Invariants:
// - Only the shell is cached (index.html, hashed assets, manifest, icons). The API (/api) and
//   the WebSocket (/v1) are never cached: session state always comes from the server, and what a
//   window shows offline is the view the app itself saved, clearly marked as offline.
// - Navigations go to the network first, so a new build reaches every installed app; the cached
//   index.html answers only when the network fails.
// - Hashed assets (/assets/*) never change under one name, so they are served from the cache.
// - Every asset of the current build is cached, the chunks loaded only for one kind of session
//   (terminal, chat) included: the build lists them in /precache.json (apps/web/build/
//   precache-list.ts). They are cached at install and again after each online navigation, so a
//   build that arrived after the install is cached too and any session opens offline.
const CACHE = 'baton-shell-v1';
const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/icons/icon.svg',
  '/icons/icon-attention.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL);
      await cacheBuild(cache);
      await self.skipWaiting();
    })(),
  );
});

/** The current build's assets, from /precache.json (or, failing that, those index.html names). */
async function buildAssets() {
  try {
    const response = await fetch('/precache.json', { cache: 'no-store' });
    if (response.ok) {
      const list = await response.json();
      if (Array.isArray(list?.assets))
        return list.assets.filter((a) => typeof a === 'string' && a.startsWith('/assets/'));
    }
  } catch {
    // An older server or a broken list: index.html still names the entry chunk and styles.
  }
  const html = await (await fetch('/', { cache: 'no-store' })).text();
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

/** Caches the assets of the current build that are not cached yet. */
async function cacheBuild(cache) {
  const missing = [];
  for (const asset of await buildAssets()) if (!(await cache.match(asset))) missing.push(asset);
  await cache.addAll(missing);
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/v1/')) return;

  if (request.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          const cache = await caches.open(CACHE);
          if (response.ok) {
            await cache.put('/', response.clone());
            // A new build may have arrived with this page: cache its chunks while online.
            event.waitUntil(cacheBuild(cache).catch(() => undefined));
          }
          return response;
        } catch {
          const cached = await caches.match('/');
          return (
            cached ??
            new Response('baton is offline and the app is not cached yet.', {
              status: 503,
              headers: { 'content-type': 'text/plain; charset=utf-8' },
            })
          );
        }
      })(),
    );
    return;
  }

  event.respondWith(
    (async () => {
      const cached = await caches.match(request);
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok && url.pathname.startsWith('/assets/')) {
        const cache = await caches.open(CACHE);
        await cache.put(request, response.clone());
      }
      return response;
    })(),
  );
});

// Web Push (docs/operations.md, "Notifications"). The server sends { kind, title, body,
// sessionId, url, tag } and never a session's contents. Invariant: every push shows a
// notification (browsers require it of subscriptions made with userVisibleOnly).
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { title: 'baton', body: event.data ? event.data.text() : '' };
  }
  const title = typeof message.title === 'string' ? message.title : 'baton';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' ? message.tag : undefined,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: {
        url: typeof message.url === 'string' && message.url.startsWith('/') ? message.url : '/',
        kind: message.kind,
        sessionId: message.sessionId,
      },
    }),
  );
});

// A click focuses a window already showing the session, else any baton window (navigated to
// it), else opens one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = event.notification.data?.url ?? '/';
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const exact = windows.find((w) => w.url === target);
      if (exact) return exact.focus();
      const any = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (any) {
        const focused = await any.focus();
        return focused.navigate(target);
      }
      return self.clients.openWindow(target);
    })(),
  );
});
