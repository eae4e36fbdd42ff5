// Offline support: every same-origin GET goes to the network first (so a
// running server always serves the current files) and its successful answer
// is kept; when the network fails, the kept copy is served. Once the page
// has been opened, it reloads and works without the server.
const CACHE = 'towerlens-v1';
// On a static host that cannot send COOP/COEP, dist/site/ (scripts/build-dist.mjs)
// builds this file with `true` here: the answers then carry the two headers,
// which makes the page cross-origin isolated (the threaded build) once this
// worker controls it (dist/site/coi.js reloads it once). scripts/serve sends
// them itself, and `--no-isolation` must stay unisolated.
const ADD_ISOLATION_HEADERS = false;

function isolated(response) {
  if (!ADD_ISOLATION_HEADERS || response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).then(
      (response) => {
        if (response.ok && response.type === 'basic') {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {}));
        }
        return isolated(response);
      },
      async (error) => {
        const cached = await caches.match(request, { ignoreSearch: true });
        if (cached) return isolated(cached);
        throw error;
      },
    ),
  );
});
