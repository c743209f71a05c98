// Clocher's service worker: offline reading of the commune's alerts, Web Push.
// Served at /sw.js (scope "/") by notify/pwa.py, under the site's CSP.
"use strict";

var CACHE = "clocher-v1";
var commune = new URL(self.location.href).searchParams.get("commune") || "";
var OFFLINE = "/hors-ligne/" + (commune ? "?commune=" + encodeURIComponent(commune) : "");
var REFRESH_MS = 5 * 60 * 1000;
var refreshedAt = 0;

function offlineRefresh() {
  refreshedAt = Date.now();
  return fetch(OFFLINE, { credentials: "same-origin" }).then(function (response) {
    if (response.ok) {
      return caches.open(CACHE).then(function (cache) { return cache.put(OFFLINE, response); });
    }
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(offlineRefresh().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (Date.now() - refreshedAt > REFRESH_MS) event.waitUntil(offlineRefresh());
      return response;
    }).catch(function () {
      return caches.match(OFFLINE).then(function (page) {
        return page || new Response("Hors ligne", { status: 503,
          headers: { "Content-Type": "text/plain; charset=utf-8" } });
      });
    }));
    return;
  }
  if (new URL(request.url).pathname.indexOf("/static/") === 0) {
    // Stylesheets and icons: from the network when it answers, else the last copy.
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      if (response.ok) caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      return response;
    }).catch(function () { return caches.match(request); }));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Clocher", {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: "/static/notify/icons/icon-192.png",
    requireInteraction: !!data.urgent,
    data: { url: data.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
