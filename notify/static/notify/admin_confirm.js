// The page editor: before an urgent alert is published, say how many people it reaches
// on each channel (phones included) and ask for confirmation (issue 27).
(function () {
  "use strict";
  var match = window.location.pathname.match(/\/pages\/(\d+)\/edit\/$/);
  var form = document.querySelector("form[data-edit-form], form#page-edit-form");
  var severity = document.querySelector("select[name=severity]");
  if (!form || !severity) return;
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || submitter.name !== "action-publish" || severity.value !== "3") return;
    if (form.dataset.notifyConfirmed === "1") return;
    event.preventDefault();
    // Wagtail's progress controller disabled the button on click ("Publication…"):
    // give it back, else "Annuler" leaves it stuck and "OK" clicks a disabled button.
    var release = function () {
      submitter.setAttribute("data-w-progress-loading-value", "false");
      submitter.removeAttribute("disabled");
    };
    var ask = function (reach) {
      var text = "Alerte urgente : elle partira tout de suite"
        + (reach ? " vers " + reach.push + " téléphone(s) en notification, "
           + reach.sms + " par SMS et " + reach.email + " par e-mail" : "")
        + ". Publier ?";
      release();
      if (window.confirm(text)) {
        form.dataset.notifyConfirmed = "1";
        form.requestSubmit(submitter);
      }
    };
    if (!match) { ask(null); return; }
    fetch("/admin/notifications/page/" + match[1] + "/portee.json?severity=3",
          { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(ask, function () { ask(null); });
  }, true);
})();
