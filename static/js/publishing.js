/* Publishing pages: drag a scheduled post to another time on the calendar (POSTs the move and
   swaps in the calendar it gets back), best-time chips that fill the schedule form, error answers
   (422) swapped like any other, and live refreshes of the publish panel and the calendar when a
   notification arrives. Without JavaScript every chip links to its post, where the time can be
   changed, and the panel's forms post normally. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
      if (token) return token;
    } catch (e) { /* fall back to the cookie */ }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // ── Calendar: drag and drop ───────────────────────────────────────────────────────
  var dragged = null;
  var over = null;

  function dropCell(event) {
    return event.target && event.target.closest ? event.target.closest("[data-drop-date]") : null;
  }
  function mark(cell) {
    if (over === cell) return;
    if (over) over.classList.remove("is-drop-target", "is-drop-refused");
    over = cell;
    if (cell) cell.classList.add(cell.dataset.past ? "is-drop-refused" : "is-drop-target");
  }
  function endDrag() {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    mark(null);
    document.body.classList.remove("is-dragging-chip");
  }

  document.addEventListener("dragstart", function (event) {
    var chip = event.target.closest ? event.target.closest(".cal-chip[data-publication]") : null;
    if (!chip) return;
    dragged = chip;
    chip.classList.add("is-dragging");
    document.body.classList.add("is-dragging-chip");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.dataset.publication);
  });
  document.addEventListener("dragend", endDrag);
  document.addEventListener("dragover", function (event) {
    var cell = dropCell(event);
    if (!cell || !dragged) return;
    event.preventDefault(); // a drop on the past is still sent: the server says why it is refused
    event.dataTransfer.dropEffect = "move";
    mark(cell);
  });
  document.addEventListener("drop", function (event) {
    var cell = dropCell(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    var chip = dragged;
    endDrag();
    if (chip.closest("[data-drop-date]") === cell) return; // dropped where it was
    move(chip.dataset.publication, cell);
  });

  function say(body, text) {
    var box = body.querySelector(".cal-messages");
    if (!box) return;
    box.innerHTML = "";
    var flash = document.createElement("div");
    flash.className = "flash flash-error";
    flash.setAttribute("role", "alert");
    flash.textContent = text;
    box.appendChild(flash);
  }

  function swapCalendar(old, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.querySelector("#calendar-body");
    if (!fresh) return false;
    old.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    var message = fresh.querySelector(".cal-messages .flash");
    if (message && message.scrollIntoView) message.scrollIntoView({ block: "nearest" });
    return true;
  }

  function move(publication, cell) {
    var body = cell.closest("#calendar-body");
    var data = new FormData();
    data.append("publication", publication);
    data.append("date", cell.dataset.dropDate);
    if (cell.dataset.dropHour !== undefined) data.append("hour", cell.dataset.dropHour);
    data.append("view", body.dataset.view);
    data.append("anchor", body.dataset.anchor);
    body.classList.add("is-saving");
    body.setAttribute("aria-busy", "true");
    fetch(body.dataset.moveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          if (!swapCalendar(body, html)) {
            body.classList.remove("is-saving");
            body.removeAttribute("aria-busy");
            say(body, "Could not move it (the server answered " + response.status + "). Reload the page and try again.");
          }
        });
      })
      .catch(function () {
        body.classList.remove("is-saving");
        body.removeAttribute("aria-busy");
        say(body, "Could not reach the server; nothing was moved.");
      });
  }

  // ── Publish panel: best-time chips fill the date and time ────────────────────────────
  document.addEventListener("click", function (event) {
    var chip = event.target.closest ? event.target.closest("[data-fill-date]") : null;
    if (!chip) return;
    var form = chip.closest("form");
    if (!form) return;
    var day = form.querySelector("input[name=date]");
    var clock = form.querySelector("input[name=time]");
    if (day) day.value = chip.dataset.fillDate;
    if (clock) clock.value = chip.dataset.fillTime;
    form.dataset.dirty = "1";
    form.querySelectorAll("[data-fill-date]").forEach(function (c) {
      c.classList.toggle("is-picked", c === chip);
      c.setAttribute("aria-pressed", c === chip ? "true" : "false");
    });
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest ? event.target.closest(".publish-form") : null;
    if (form) form.dataset.dirty = "1";
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest ? event.target.closest(".publish-form") : null;
    if (form) form.dataset.dirty = "1";
  });

  // ── htmx: show refused answers (422/409/400) where the form is (errors next to the fields,
  //    what was typed kept), on the post page, the calendar and the posts list ─────────
  function ours(elt) {
    return elt && elt.closest && elt.closest("#post-review, #publish-panel, #calendar-body, #post-list");
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr && [400, 409, 422].indexOf(detail.xhr.status) !== -1 && ours(detail.target)) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  var typed = null; // the panel form's values while a live refresh replaces the panel
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || (elt.id !== "publish-panel" && elt.id !== "calendar-body")) return;
    if (elt.id === "calendar-body" && dragged) { event.preventDefault(); return; }
    if (elt.id !== "publish-panel") return;
    var form = elt.querySelector(".publish-form");
    if (form && form.dataset.dirty) {
      typed = {
        date: (form.querySelector("input[name=date]") || {}).value,
        time: (form.querySelector("input[name=time]") || {}).value,
        accounts: Array.prototype.map.call(form.querySelectorAll("input[name=accounts]:checked"), function (b) { return b.value; }),
      };
    } else {
      typed = null;
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = document.getElementById("publish-panel");
    if (!typed || !panel || event.detail.requestConfig && event.detail.requestConfig.verb !== "get") { typed = null; return; }
    var form = panel.querySelector(".publish-form");
    if (form) {
      if (typed.date !== undefined) form.querySelector("input[name=date]").value = typed.date;
      if (typed.time !== undefined) form.querySelector("input[name=time]").value = typed.time;
      form.querySelectorAll("input[name=accounts]:not(:disabled)").forEach(function (b) { b.checked = typed.accounts.indexOf(b.value) !== -1; });
      form.dataset.dirty = "1";
    }
    typed = null;
  });

  // ── Live: a notification arrived (a post went live, failed or expired): refresh ───────
  document.addEventListener("htmx:wsAfterMessage", function (event) {
    if (!event.target || event.target.id !== "live" || !window.htmx) return;
    ["publish-panel", "calendar-body"].forEach(function (id) {
      var elt = document.getElementById(id);
      if (elt) window.htmx.trigger(elt, "publishing-refresh");
    });
  });
})();
