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
