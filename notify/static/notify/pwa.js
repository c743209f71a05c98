// The installable site: register the service worker (notify/pwa.py serves /sw.js).
// The commune's code tells the worker which offline page (its current alerts) to keep.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var script = document.currentScript;
  var commune = script && script.dataset.commune;
  var url = "/sw.js" + (commune ? "?commune=" + encodeURIComponent(commune) : "");
  navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {});
})();
