// No lost work when someone leaves the page within a second of typing (issue 3 §6).
// Autosave forms post on "input delay:1s"; a page left before that fires would drop the
// last words. We mark a form dirty on input, clean when its htmx save answers, and on
// pagehide send any dirty form with sendBeacon (a plain POST the view also accepts).
(function () {
  "use strict";
  var dirty = new Set();
  document.addEventListener("input", function (event) {
    var form = event.target.closest("form.wcc-autosave");
    if (form) { dirty.add(form); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt.closest ? event.detail.elt.closest("form.wcc-autosave") : null;
    if (form && event.detail.successful) { dirty.delete(form); }
  });
  window.addEventListener("pagehide", function () {
    dirty.forEach(function (form) {
      if (navigator.sendBeacon) { navigator.sendBeacon(form.action, new FormData(form)); }
    });
    dirty.clear();
  });
})();
