/* Interwar Lessons: instant feedback in practice mode (UI.md §6), an enhancement only.
   "Check answer" posts the answer to the JSON API and shows the feedback block the
   server renders for the same page, in place. On any failure (network, a 4xx such as
   an unreadable answer, an unexpected body) the form is posted the normal way, so
   the learner ends on the same page as without JavaScript. */
(function () {
  "use strict";

  if (!window.fetch || !window.FormData || !window.JSON) { return; }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function csrfToken(form) {
    var meta = document.querySelector("meta[name='csrf-token']");
    if (meta && meta.getAttribute("content")) { return meta.getAttribute("content"); }
    var field = form.querySelector("input[name='csrf_token']");
    return field ? field.value : "";
  }

  /* The form's answer fields as the API reads them: "answer" -> "value",
     "answer-<key>" -> "<key>", every value a string in a list. */
  function collect(form) {
    var answer = {};
    new window.FormData(form).forEach(function (value, name) {
      var key;
      if (name === "answer") { key = "value"; } else if (name.indexOf("answer-") === 0) { key = name.slice(7); } else { return; }
      if (!Object.prototype.hasOwnProperty.call(answer, key)) { answer[key] = []; }
      answer[key].push(String(value));
    });
    return answer;
  }

  function liveRegion() {
    var region = document.getElementById("instant-status");
    if (region) { return region; }
    region = document.createElement("div");
    region.id = "instant-status";
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    (document.getElementById("main") || document.body).appendChild(region);
    return region;
  }

  /* Replace the form (and what follows it on a question page) with the feedback
     block, so the page has the structure the server gives after "Check answer". */
  function render(form, html, region) {
    var template = document.createElement("template");
    template.innerHTML = html;  // rendered and sanitized by the server, no scripts
    var fragment = template.content;
    var panel = fragment.querySelector(".result");
    var heading = panel && panel.querySelector(".result__title");
    if (!panel || !heading) { throw new Error("no result panel"); }
    var container = form.parentNode;
    var summary = container.querySelector(".error-summary");
    if (summary) { summary.parentNode.removeChild(summary); }
    while (form.nextSibling) { container.removeChild(form.nextSibling); }
    container.replaceChild(fragment, form);
    // The panel is there to be read at once: move focus to its heading (UI.md §14)
    // and say the result in the status region for screen readers that miss focus.
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    region.textContent = "";
    window.setTimeout(function () { region.textContent = heading.textContent.trim(); }, 50);
  }

  function fallback(form, submitter) {
    form.setAttribute("data-instant-off", "1");
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    } else {
      form.submit();
    }
  }

  function init(form) {
    var url = form.getAttribute("data-api");
    if (!url) { return; }
    // The API renders the feedback block only when asked to (?html=1).
    url += (url.indexOf("?") === -1 ? "?" : "&") + "html=1";
    var region = liveRegion();
    var busy = false;
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-instant-off") === "1") { return; }  // the fallback POST
      event.preventDefault();
      if (busy) { return; }  // a second click while the first is on its way
      busy = true;
      var submitter = event.submitter || null;
      window.fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken(form)
        },
        body: JSON.stringify({ answer: collect(form) })
      }).then(function (response) {
        if (response.status !== 200) { throw new Error("status " + response.status); }
        return response.json();
      }).then(function (data) {
        if (!data || data.status !== "graded" || typeof data.html !== "string") { throw new Error("not graded"); }
        render(form, data.html, region);
      }).catch(function () {
        busy = false;
        fallback(form, submitter);
      });
    });
  }

  ready(function () {
    document.querySelectorAll("form[data-module='instant']").forEach(init);
  });
}());
