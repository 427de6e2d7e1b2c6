// Keeps the kiosk page at /kiosk and everything it loads (its scripts, style, icon, the
// camera's QR decoder) so that a kiosk reloaded or restarted without the network still
// opens and judges scans from its offline copy. The network is asked first (a new version
// of the page is used as soon as it is there); what it gave last is used when it fails or
// does not answer in time. The API (/api/) is never kept or answered from here.
"use strict";

const VERSION = 4; // bumped with any change to what is kept or how
const CACHE = `kiosk-gate-v${VERSION}`;
const NETWORK_MS = 3000; // a server that accepts and never answers counts as no network
const ZXING = "/ui/vendor/zxing";
const PAGE = [
  "/kiosk", "/ui/kiosk.js", "/ui/kiosk.css", "/ui/favicon.svg", "/ui/scanner.js",
  "/ui/scan-sender.js", "/ui/kiosk/badges.js", "/ui/kiosk/connection.js",
  "/ui/kiosk/judge.js", "/ui/kiosk/offline-copy.js", "/ui/kiosk/queue.js",
  "/ui/kiosk/sounds.js", "/ui/kiosk/store.js", "/ui/random-id.js", "/ui/gate-name.js",
];
const DECODER = [`${ZXING}/es/reader/index.js`, `${ZXING}/es/share.js`,
                 `${ZXING}/reader/zxing_reader.wasm`];

self.addEventListener("install", (event) => event.waitUntil((async () => {
  const cache = await caches.open(CACHE);
  await cache.addAll(PAGE);
  // The decoder may not be installed on this server (npm ci not run): kept when it is.
  await Promise.all(DECODER.map((url) => cache.add(url).catch(() => {})));
  await self.skipWaiting();
})()));

self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith("kiosk-gate-") && name !== CACHE) await caches.delete(name);
  }
  await self.clients.claim();
})()));

function kept(url) {
  return url.origin === location.origin && !url.pathname.startsWith("/api/")
    && (url.pathname === "/kiosk" || url.pathname.startsWith("/ui/"));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !kept(new URL(request.url))) return; // the network's
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const found = await cache.match(request);
    try {
      // Waited for only as long as NETWORK_MS when there is a kept copy to fall back on.
      const response = await fetch(request,
                                   found ? { signal: AbortSignal.timeout(NETWORK_MS) } : {});
      if (response.ok) await cache.put(request, response.clone());
      return response;
    } catch (error) {
      if (found) return found;
      throw error;
    }
  })());
});
