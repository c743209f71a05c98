/* Clocher resident site: small progressive enhancements; every page works without it. */
(function () {
  "use strict";

  // Leaflet is loaded only by pages that have places to show (includes/map.html).
  var leafletLoading = false;
  function loadLeaflet(element) {
    if (leafletLoading) { return; }
    leafletLoading = true;
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = element.dataset.leafletCss;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = element.dataset.leafletJs;
    script.onload = function () { drawMaps(document); };
    document.head.appendChild(script);
  }

  function drawMaps(root) {
    if (!window.L) {
      var first = null;
      (root || document).querySelectorAll("[data-map]").forEach(function (element) {
        var data = document.getElementById(element.dataset.places);
        if (!first && data && data.textContent.trim() !== "[]") { first = element; }
      });
      if (first) { loadLeaflet(first); }
      return;
    }
    (root || document).querySelectorAll("[data-map]").forEach(function (element) {
      if (element.dataset.ready) { return; }
      var data = document.getElementById(element.dataset.places);
      var places = [];
      try { places = JSON.parse(data ? data.textContent : "[]"); } catch (error) { places = []; }
      if (!places.length) { return; }
      element.hidden = false;
      element.dataset.ready = "1";
      var map = window.L.map(element, { scrollWheelZoom: false });
      var tiles = window.L.tileLayer(element.dataset.tiles, {
        attribution: element.dataset.attribution, maxZoom: 18
      }).addTo(map);
      var failures = 0;
      tiles.on("tileerror", function () {
        failures += 1;
        if (failures === 3) {
          var note = document.createElement("p");
          note.className = "map-note";
          note.textContent = element.dataset.tilesFailed ||
            "Le fond de carte ne se charge pas : la liste des lieux ci-dessous reste disponible.";
          element.insertAdjacentElement("afterend", note);
        }
      });
      var bounds = [];
      places.forEach(function (place) {
        var marker = window.L.marker([place.lat, place.lon], {
          title: place.name, alt: place.name, keyboard: true,
          icon: window.L.divIcon({ className: "map-pin", iconSize: [16, 16] })
        }).addTo(map);
        var popup = document.createElement("div");
        var link = document.createElement("a");
        link.href = place.url; link.textContent = place.name;
        popup.appendChild(link);
        if (place.detail) {
          var detail = document.createElement("p");
          detail.textContent = place.detail;
          popup.appendChild(detail);
        }
        marker.bindPopup(popup);
        bounds.push([place.lat, place.lon]);
      });
      map.fitBounds(bounds, { maxZoom: 14, padding: [20, 20] });
    });
  }

  function locateButton() {
    var button = document.querySelector("[data-locate]");
    if (!button || !navigator.geolocation) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var form = button.closest("form");
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(5);
        form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(5);
        var radius = form.querySelector("[name=rayon]");
        if (radius && !radius.value) { radius.value = "10"; }
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }, function () {
        button.insertAdjacentText("afterend", " " + (button.dataset.locateFailed || "Position indisponible."));
      });
    });
  }

  function contributionKinds() {
    var form = document.querySelector("form.contribute");
    if (!form) { return; }
    function update() {
      var checked = form.querySelector("[name=kind]:checked");
      form.querySelectorAll("fieldset[data-kind]").forEach(function (fieldset) {
        fieldset.hidden = !!checked && fieldset.dataset.kind !== checked.value;
      });
    }
    form.addEventListener("change", update);
    update();
    var errors = document.getElementById("form-errors");
    if (errors) { errors.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawMaps(document);
    locateButton();
    contributionKinds();
  });
  document.addEventListener("htmx:afterSettle", function () { drawMaps(document); });
  // A disclosure the resident opened stays open when htmx swaps in new results (the
  // server sends it closed): the facets closed after each one checked, and a late answer
  // to typing closed them just after the resident opened them.
  var openDisclosures = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) { return; }
    openDisclosures[target.id] = Array.prototype.map.call(
      target.querySelectorAll("details.filters-disclosure"),
      function (details) { return details.open; });
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var open = target && target.id && openDisclosures[target.id];
    if (!open) { return; }
    delete openDisclosures[target.id];
    var fresh = document.getElementById(target.id);
    if (!fresh) { return; }
    fresh.querySelectorAll("details.filters-disclosure").forEach(function (details, index) {
      if (open[index]) { details.open = true; }
    });
  });
  // A new search (not a suggestion request) closes the suggestions; so does Escape. The
  // results that follow the typing do not: they would close the suggestions 150 ms after
  // they open, while the resident is still reading them.
  function closeSuggestions() {
    var box = document.getElementById("search-suggestions");
    if (box) { box.innerHTML = ""; }
  }
  function fromTyping(event) {
    var config = event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    return !!trigger && trigger.type === "keyup" && !!trigger.target &&
      trigger.target.id === "search-q";
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id !== "search-q" && !fromTyping(event)) {
      closeSuggestions();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeSuggestions(); }
  });
})();
