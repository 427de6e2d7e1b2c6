// Keeps each card page a customer has opened (and each invitation page a guest has: served
// from /i/sw.js too), with its QR, style and scripts, so it shows without a network. The
// network is asked first (a renamed customer sees the new name, new points); what it
// answered last is used when it does not answer.
"use strict";

const CACHE = "kiosk-card-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const ours = url.origin === location.origin
    && (url.pathname.startsWith("/c/") || url.pathname.startsWith("/i/")
        || url.pathname.startsWith("/ui/card") || url.pathname === "/ui/phone-language.js"
        || url.pathname === "/ui/favicon.svg");
  if (request.method !== "GET" || !ours) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok) await cache.put(request, response.clone());
      return response;
    } catch (error) {
      const kept = await cache.match(request);
      if (kept) return kept;
      throw error;
    }
  })());
});
