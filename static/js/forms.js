// Nothing typed is lost (issues 3 §6 and 14). Loaded on every page.
//
// Autosave. An element with data-wcc-autosave (a form, or one item or section of a longer
// form) posts its fields with htmx as people type (its own data-hx-post and data-hx-trigger). It is
// dirty from the first keystroke until a save answers without a refusal: the view marks a
// refusal, a conflict or an error with data-wcc-unsaved in the status it answers with. When
// the page is left, each dirty one is sent with sendBeacon, a plain POST marked wcc-beacon;
// the view keeps a refused one as a draft, shown when the person comes back.
//
// Leaving a page asks first (beforeunload) while a POST form has input that was not
// submitted (not a sign-in or password form), or an autosave shows a refusal. A save that is only waiting for its delay does
// not ask: the beacon sends it.
//
// Pressing a submit button sends the whole form, so the autosave its field's change event
// would start then is skipped: "Replace theirs with my text" is not swapped away under the
// pointer. A full save of a form with autosaved parts (a plain submit) waits for an
// autosave on its way, and no autosave starts after it: the two never race on the server. (The autosaves of a page
// share one queue, data-hx-sync on #maincontent, for the same reason.)
(function () {
  "use strict";
  var UNIT = "[data-wcc-autosave]";
  var SUBMIT = "button[type=submit], button:not([type]), input[type=submit]";
  var dirtyUnits = new Set();
  var dirtyForms = new Set();
  var pressed = null; // the form whose submit button is under the pointer
  var saving = 0; // autosaves on their way
  var leaving = null; // a plain submit: {form, submitter, sent}, sent once no autosave is on its way

  function unitOf(element) {
    return element && element.closest ? element.closest(UNIT) : null;
  }
  function formOf(unit) {
    return unit.closest("form");
  }
  function showsRefusal(unit) {
    return unit.querySelector("[data-wcc-unsaved]") !== null;
  }
  function submitted(unit) {
    var form = formOf(unit);
    return Boolean(form && form.wccSubmitted);
  }

  function worthKeeping(form) {
    // A search (GET) keeps nothing; a sign-in form's password is not work to lose.
    return Boolean(form && form.method === "post" && !form.querySelector("input[type=password]"));
  }

  function send(submit) {
    // The full save goes once the autosaves on their way have answered (or after 5 s).
    leaving = submit;
    submit.form.wccSubmitted = true;
    if (saving === 0 || submit.sent) { submit.sent = true; return true; }
    setTimeout(function () { if (!submit.sent) { resend(); } }, 5000);
    return false;
  }
  function resend() {
    leaving.sent = true;
    leaving.form.requestSubmit(leaving.submitter);
  }

  function edited(event) {
    if (leaving && leaving.sent) {
      // Still here after a full save was sent: leaving was cancelled ("Stay on page").
      leaving.form.wccSubmitted = false;
      leaving = null;
    }
    if (event.target.closest && event.target.closest("[data-wcc-confirm]")) {
      return; // ticking a confirmation is not work to lose
    }
    var unit = unitOf(event.target);
    if (unit) {
      unit.wccEdits = (unit.wccEdits || 0) + 1;
      dirtyUnits.add(unit);
    } else if (worthKeeping(event.target.form)) {
      dirtyForms.add(event.target.form);
    }
  }
  document.addEventListener("input", edited, true);
  document.addEventListener("change", edited, true);

  document.addEventListener("pointerdown", function (event) {
    var button = event.target.closest ? event.target.closest(SUBMIT) : null;
    pressed = button ? button.form : null;
  }, true);
  document.addEventListener("click", function () {
    setTimeout(function () { pressed = null; }, 0);
  }, true);
  document.addEventListener("pointercancel", function () { pressed = null; }, true);

  document.addEventListener("htmx:confirm", function (event) {
    var unit = unitOf(event.detail.elt);
    var trigger = event.detail.triggeringEvent;
    if (!unit || !trigger) { return; }
    if (leaving) {
      event.preventDefault(); // the page's full save has everything
    } else if (trigger.type === "submit") {
      unit.wccSubmitting = true;
    } else if (unit.wccSubmitting || (pressed && pressed === formOf(unit))) {
      // The submit sends these fields too (and a later autosave would empty htmx's queue).
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var unit = unitOf(event.detail.elt);
    if (unit) {
      unit.wccSent = unit.wccEdits || 0;
      saving += 1;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The same conflict again (same version, so the same saved text): keep the card on
    // screen, with its button under the pointer or the keyboard focus.
    var target = event.detail.target;
    var shown = target && target.querySelector ? target.querySelector("[data-conflict-version]") : null;
    var version = shown && shown.getAttribute("data-conflict-version");
    if (version && event.detail.serverResponse.indexOf('data-conflict-version="' + version + '"') !== -1) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var unit = unitOf(event.detail.elt);
    if (!unit) { return; }
    saving = Math.max(0, saving - 1);
    if (leaving && !leaving.sent && saving === 0) { setTimeout(resend, 0); }
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (trigger && trigger.type === "submit") { unit.wccSubmitting = false; }
    if (!event.detail.successful || showsRefusal(unit)) { return; }
    if (unit.wccSent === (unit.wccEdits || 0)) {
      dirtyUnits.delete(unit);
    } else if (!unit.wccSubmitting && !leaving) {
      htmx.trigger(unit, "change"); // typed while the save was on its way: save that too
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.method !== "post") { return; } // htmx sends it
    dirtyForms.delete(form);
    if (!form.matches(UNIT) && !form.querySelector(UNIT)) { return; } // nothing autosaved: no race
    var again = leaving && leaving.form === form && leaving.sent;
    if (!send(again ? leaving : { form: form, submitter: event.submitter, sent: false })) {
      event.preventDefault();
    }
  });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = dirtyForms.size > 0;
    document.querySelectorAll(UNIT).forEach(function (unit) {
      if (!submitted(unit) && showsRefusal(unit)) { unsaved = true; }
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = ""; // browsers show their own words
    }
  });

  function fieldsOf(unit) {
    var form = formOf(unit);
    var all = new FormData(form);
    var data = all;
    if (unit !== form) {
      var names = new Set(["csrfmiddlewaretoken"]);
      unit.querySelectorAll("[name]").forEach(function (field) { names.add(field.name); });
      data = new FormData();
      all.forEach(function (value, name) { if (names.has(name)) { data.append(name, value); } });
    }
    data.append("wcc-beacon", "1");
    return data;
  }
  window.addEventListener("pagehide", function () {
    dirtyUnits.forEach(function (unit) {
      if (navigator.sendBeacon && !submitted(unit)) {
        navigator.sendBeacon(unit.getAttribute("data-hx-post"), fieldsOf(unit));
      }
    });
    dirtyUnits.clear();
  });
})();
