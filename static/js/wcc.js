// Small behaviours shared by every page. No inline scripts: the CSP allows only 'self'.
(function () {
  "use strict";
  // After an htmx swap, move focus to an error summary if one arrived, as the NHS pattern does.
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target.querySelector(".nhsuk-error-summary");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });
})();
