// "Turn on notifications" on the subscription page: subscribe this browser to Web Push
// with the choices of the form above, and post the subscription (notify/views.py).
// Without JavaScript the section stays hidden and the e-mail form works alone.
(function () {
  "use strict";
  var section = document.querySelector(".push-subscribe");
  if (!section || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  section.hidden = false;
  var button = section.querySelector(".push-subscribe__button");
  var status = section.querySelector(".push-subscribe__status");
  var form = document.querySelector("form.subscribe");

  function key(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function choices() {
    var data = new FormData(form);
    return { communes: data.getAll("communes"), alerts: data.get("alerts"),
             digest: data.get("digest"), news: data.get("news") === "on",
             events: data.get("events") === "on" };
  }

  button.addEventListener("click", function () {
    status.textContent = "…";
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key(section.dataset.vapidKey) });
    }).then(function (subscription) {
      var body = choices();
      body.subscription = subscription.toJSON();
      return fetch(section.dataset.endpoint, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json",
                   "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
        body: JSON.stringify(body) });
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (data) {
      status.textContent = section.dataset.done || "OK";
      var link = document.createElement("a");
      link.href = data.manage_url;
      link.textContent = section.dataset.manage || data.manage_url;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(link);
    }).catch(function (error) {
      status.textContent = (section.dataset.failed || "Échec") + " (" + error.message + ")";
    });
  });
})();
