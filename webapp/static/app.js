/* Interwar Lessons: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  /* Error summary (UI.md §5): focus it if nothing else has focus; a link scrolls the
     question's legend or label into view before focusing the field. */
  function initErrorSummary(summary) {
    if (document.activeElement === document.body || document.activeElement === null) {
      summary.focus();
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      var label = document.querySelector("label[for='" + field.id + "']");
      var target = legend || label || field;
      target.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  /* Result panels: focused on load (UI.md §6, §14) when autofocus did not. */
  function initFocusOnLoad(el) {
    if (document.activeElement === document.body || document.activeElement === null) { el.focus(); }
  }

  /* Ignore a second click on a submit button; the server is idempotent anyway. */
  function initOnce(button) {
    var form = button.form;
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted === "1") { event.preventDefault(); return; }
      form.dataset.submitted = "1";
    });
    // Coming back with the browser's Back button must allow a new submit.
    window.addEventListener("pageshow", function () { form.dataset.submitted = ""; });
  }

  /* Ordering (UI.md §4.5): Move up / Move down buttons per item, the selects stay in
     the form, hidden but in sync, so the POST is the same as without JavaScript. */
  function initReorder(list) {
    var items = Array.prototype.slice.call(list.querySelectorAll(".order__item"));
    var n = items.length;
    if (n < 2) { return; }
    var upText = list.getAttribute("data-label-up") || "Move up";
    var downText = list.getAttribute("data-label-down") || "Move down";
    var statusText = list.getAttribute("data-status") || "{item}: position {position} of {count}";
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    list.parentNode.insertBefore(status, list.nextSibling);

    // Start from the positions already chosen; unchosen items keep their order after them.
    items.sort(function (a, b) {
      var pa = parseInt(a.querySelector("select").value, 10) || n + items.indexOf(a);
      var pb = parseInt(b.querySelector("select").value, 10) || n + items.indexOf(b);
      return pa - pb;
    });
    items.forEach(function (item) {
      var select = item.querySelector("select");
      var name = item.querySelector("label").textContent;
      select.hidden = true;
      item.querySelector("label").removeAttribute("for");
      var controls = document.createElement("span");
      controls.className = "order__controls";
      controls.appendChild(makeButton(upText, name, "up"));
      controls.appendChild(makeButton(downText, name, "down"));
      item.appendChild(controls);
      list.appendChild(item);
    });
    list.classList.add("order--enhanced");
    sync();

    function makeButton(text, name, dir) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button button--secondary";
      b.setAttribute("data-dir", dir);
      b.textContent = text;
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ": " + name;
      b.appendChild(hidden);
      b.addEventListener("click", function () { move(b.closest(".order__item"), dir, b); });
      return b;
    }

    function move(item, dir, button) {
      var sibling = dir === "up" ? item.previousElementSibling : item.nextElementSibling;
      if (!sibling) { return; }
      if (dir === "up") { list.insertBefore(item, sibling); } else { list.insertBefore(sibling, item); }
      sync();
      var still = !button.hidden;
      (still ? button : item.querySelector("button:not([hidden])")).focus();
      var pos = Array.prototype.indexOf.call(list.children, item) + 1;
      status.textContent = statusText.replace("{item}", item.querySelector("label").textContent)
        .replace("{position}", String(pos)).replace("{count}", String(n));
    }

    function sync() {
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.querySelector("select").value = String(i + 1);
        item.querySelector("[data-dir='up']").hidden = i === 0;
        item.querySelector("[data-dir='down']").hidden = i === n - 1;
      });
    }
  }

  /* Timer (UI.md §8): the server writes the minutes; this counts them down once a minute.
     data-forms: the text's plural forms with {n}; data-plural: one letter (a = form 0) per minute
     0, 1, 2, ... naming its form (from the server's catalog, so "1 minute", «2 минуты»,
     «5 минут»); past the table, minute n takes the form of 100 + n % 100. */
  function initTimer(el) {
    var minutes = parseInt(el.getAttribute("data-minutes"), 10);
    if (isNaN(minutes)) { return; }
    var plural = el.getAttribute("data-plural") || "";
    var forms;
    try { forms = JSON.parse(el.getAttribute("data-forms") || "[]"); } catch (e) { forms = []; }
    if (!plural || !forms.length) { return; }
    function text(n) {
      var form = forms[plural.charCodeAt(n < plural.length ? n : 100 + n % 100) - 97];
      return form === undefined ? el.textContent : form.split("{n}").join(String(n));
    }
    // Announced once at 5 and once at 1 minute left; the visible text is not a live region.
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    el.parentNode.insertBefore(status, el.nextSibling);
    window.setInterval(function () {
      if (minutes > 0) {
        minutes -= 1;
        el.textContent = text(minutes);
        if (minutes === 5 || minutes === 1) { status.textContent = el.textContent; }
      }
    }, 60000);
  }

  /* Print: open every <details> so its content prints, then restore (UI.md §13). */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true; return true;
    });
  });
  window.addEventListener("afterprint", function () { opened.forEach(function (d) { d.open = false; }); });

  ready(function () {
    document.querySelectorAll("[data-module='error-summary']").forEach(initErrorSummary);
    document.querySelectorAll("[data-module='focus-on-load']").forEach(initFocusOnLoad);
    document.querySelectorAll("[data-module='once']").forEach(initOnce);
    document.querySelectorAll("[data-module='reorder']").forEach(initReorder);
    document.querySelectorAll("[data-module='timer']").forEach(initTimer);
  });
}());
