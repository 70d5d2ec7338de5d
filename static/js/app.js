/* social-medAI — the little JavaScript the pages need. No framework; everything works without it. */
(function () {
  "use strict";

  // (a) <details class="menu">: one open at a time; close on an outside click or Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except && !menu.contains(except)) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("details.menu") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      var hadFocus = menu.contains(document.activeElement);
      menu.removeAttribute("open");
      if (hadFocus) menu.querySelector("summary").focus();
    });
  });

  // (b) Copy buttons: <button data-copy-target="#token">Copy</button>
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.cssText = "position:fixed;top:-1000px;opacity:0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { area.remove(); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-copy-target"));
    if (!target) return;
    event.preventDefault();
    var text = (target.matches("input, textarea") ? target.value : target.textContent).trim();
    var done = function () {
      if (!button.dataset.label) button.dataset.label = button.textContent;
      button.textContent = "Copied";
      clearTimeout(button._copyTimer);
      button._copyTimer = setTimeout(function () { button.textContent = button.dataset.label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  });


  // Tag inputs: <input data-tags value="a, b"> becomes chips; the input keeps the comma list,
  // so the form posts the same value with or without JavaScript.
  function enhanceTags(input) {
    if (input.dataset.tagsReady) return;
    input.dataset.tagsReady = "1";
    var box = document.createElement("div");
    box.className = "tags-box";
    var entry = document.createElement("input");
    entry.type = "text";
    entry.className = "tags-entry";
    entry.setAttribute("aria-label", (input.labels && input.labels[0] ? input.labels[0].textContent : "Tags") + " (press Enter to add)");
    entry.placeholder = input.placeholder || "Type and press Enter";
    input.type = "hidden";
    input.parentNode.insertBefore(box, input);
    function tags() { return input.value.split(",").map(function (t) { return t.trim(); }).filter(Boolean); }
    function render() {
      box.querySelectorAll(".tag-chip").forEach(function (c) { c.remove(); });
      tags().forEach(function (tag, i) {
        var chip = document.createElement("span");
        chip.className = "tag-chip";
        chip.textContent = tag;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "tag-remove";
        remove.setAttribute("aria-label", "Remove " + tag);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          var list = tags(); list.splice(i, 1); input.value = list.join(", "); render();
        });
        chip.appendChild(remove);
        box.insertBefore(chip, entry);
      });
    }
    function commit() {
      var text = entry.value.replace(/,/g, " ").trim();
      if (!text) return;
      var list = tags();
      if (list.map(function (t) { return t.toLowerCase(); }).indexOf(text.toLowerCase()) === -1) list.push(text);
      input.value = list.join(", ");
      entry.value = "";
      render();
    }
    entry.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === ",") { event.preventDefault(); commit(); }
      else if (event.key === "Backspace" && !entry.value) {
        var list = tags(); list.pop(); input.value = list.join(", "); render();
      }
    });
    entry.addEventListener("blur", commit);
    box.appendChild(entry);
    box.addEventListener("click", function (event) { if (event.target === box) entry.focus(); });
    render();
  }
  function enhanceAll(root) { (root || document).querySelectorAll("input[data-tags]").forEach(enhanceTags); }
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });

  // (c) Toasts fade out by CSS after ~8 s; then leave the DOM.
  document.addEventListener("animationend", function (event) {
    var el = event.target;
    if (el.classList && el.classList.contains("toast") && /^toast-(out|fade)$/.test(event.animationName)) {
      el.remove();
    }
  });

  // Live connection state on <body data-live="open|closed">: styles and browser tests read it.
  document.addEventListener("htmx:wsOpen", function () { document.body.dataset.live = "open"; });
  document.addEventListener("htmx:wsClose", function () { document.body.dataset.live = "closed"; });

  // (d) Live notifications: a 4401 close means "not signed in any more". Stay quiet, no retries.
  document.addEventListener("htmx:wsClose", function (event) {
    var detail = event.detail || {};
    if (detail.event && detail.event.code === 4401) {
      event.stopPropagation();
      if (detail.elt) detail.elt.setAttribute("data-ws-state", "unauthorized");
    }
  });
})();
