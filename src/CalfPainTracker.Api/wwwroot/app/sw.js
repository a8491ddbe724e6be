// The app's service worker: the page and its files come from the cache, so the app opens and
// takes check-ins offline; the API is never cached (health data, and every answer must be fresh).
"use strict";

const CACHE = "calfpain-app-v1";
const SHELL = ["/app", "/app/app.js", "/app/app.css", "/app/messages/en.json", "/app/manifest.webmanifest", "/app/icon.svg", "/app/icon-192.png", "/app/icon-512.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

// The app's own files: the network first (a new release is picked up at once), the cache when offline.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || !(url.pathname === "/app" || url.pathname.startsWith("/app/"))) return;
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((cache) => cache.put(event.request, copy)); }
      return response;
    })
    .catch(() => caches.match(event.request, { ignoreSearch: true })));
});

// Reminders: shown as a notification; tapping it opens the app (or brings it forward).
self.addEventListener("push", (event) => {
  const message = event.data ? event.data.json() : {};
  event.waitUntil(self.registration.showNotification(message.title || "Check-in", {
    body: message.body || "", tag: message.tag, icon: "/app/icon-192.png", badge: "/app/icon-192.png", data: { url: message.url || "/app" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((windows) => {
    const open = windows.find((w) => new URL(w.url).pathname.startsWith("/app"));
    return open ? open.focus() : self.clients.openWindow(event.notification.data?.url || "/app");
  }));
});
