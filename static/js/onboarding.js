/* social-medAI — brand setup and settings: colour pickers and logo swatches, "add another"
   rows, the browser's time zone, and the delete confirmation. Every form works without it. */
(function () {
  "use strict";

  var HEX = /^#[0-9a-f]{6}$/i;

  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) fn(root);
    if (root.querySelectorAll) root.querySelectorAll(selector).forEach(fn);
  }

  // --- Colours: the picker and the hex field mirror each other; the preview follows. ---------
  function pickerFor(text) {
    return document.querySelector('input[data-color-picker="' + text.id + '"]');
  }
  function updatePreview(form) {
    if (!form) return;
    [["primary", "id_primary_color"], ["secondary", "id_secondary_color"]].forEach(function (pair) {
      var bar = form.querySelector('[data-preview="' + pair[0] + '"]');
      var text = form.querySelector("#" + pair[1]);
      if (bar && text && HEX.test(text.value.trim())) bar.style.background = text.value.trim();
    });
  }
  function setColor(textId, hex) {
    var text = document.getElementById(textId);
    if (!text || !HEX.test(hex)) return;
    text.value = hex.toUpperCase();
    var picker = pickerFor(text);
    if (picker) picker.value = hex.toLowerCase();
    updatePreview(text.form);
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches("input[data-color-picker]")) {
      setColor(el.getAttribute("data-color-picker"), el.value);
    } else if (el.matches("input[data-color-text]") && HEX.test(el.value.trim())) {
      var picker = pickerFor(el);
      if (picker) picker.value = el.value.trim().toLowerCase();
      updatePreview(el.form);
    }
  });

  // --- Swatches suggested from the logo fill the primary, then the secondary colour. ----------
  function setTarget(button) {
    if (!button) return;
    var group = button.closest("[data-swatches]");
    group.querySelectorAll("[data-swatch-target]").forEach(function (b) {
      var on = b === button;
      b.classList.toggle("is-active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  document.addEventListener("click", function (event) {
    var targetButton = event.target.closest("[data-swatch-target]");
    if (targetButton) {
      setTarget(targetButton);
      return;
    }
    var swatch = event.target.closest("[data-swatch]");
    if (!swatch) return;
    var group = swatch.closest("[data-swatches]");
    var active = group.querySelector("[data-swatch-target].is-active");
    var textId = active ? active.getAttribute("data-swatch-target") : "id_primary_color";
    setColor(textId, swatch.getAttribute("data-swatch"));
    group.querySelectorAll("[data-swatch]").forEach(function (s) {
      if (s.dataset.usedFor === textId) delete s.dataset.usedFor;
    });
    swatch.dataset.usedFor = textId;
    if (textId === "id_primary_color") setTarget(group.querySelector('[data-swatch-target="id_secondary_color"]'));
  });

  // --- Logo: checked here before anything is sent (the server checks again), and sent once. ---
  // The colour-suggestion request uploads it; the server keeps it and answers with a token
  // (#logo-token) that saving the form sends instead of the file.
  var LOGO_TYPES = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP" };
  function logoProblem(input) {
    var file = input.files && input.files[0];
    if (!file) return "";
    if (!LOGO_TYPES[file.type]) {
      return "“" + file.name + "” is not a PNG, JPEG or WebP image. Upload one of those (SVG and other formats are not accepted).";
    }
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (max && file.size > max) {
      return "The file is " + (file.size / 1048576).toFixed(1) + " MB; the limit is " + Math.floor(max / 1048576) +
        " MB. Pick a smaller image (nothing was uploaded).";
    }
    return "";
  }
  function showLogoProblem(input, problem) {
    var box = document.getElementById("logo-check-error");
    var field = input.closest(".field");
    if (box) {
      box.textContent = "";
      if (problem) {
        var item = document.createElement("li");
        item.textContent = problem;
        box.appendChild(item);
      }
      box.hidden = !problem;
    }
    if (field) field.classList.toggle("has-error", !!problem);
    input.setAttribute("aria-invalid", problem ? "true" : "false");
  }
  document.addEventListener("htmx:confirm", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-logo-input]")) return;
    var problem = logoProblem(input);
    showLogoProblem(input, problem);
    if (problem) {
      event.preventDefault(); // no request: the colour suggestions are not asked for
      input.value = ""; // and the form will not send it either
      var token = document.getElementById("logo-token");
      if (token) token.value = "";
    }
  });
  document.addEventListener("htmx:configRequest", function (event) {
    // Saving the step: the logo was sent already if there is a token for it.
    var form = event.detail.elt;
    if (!form || form.tagName !== "FORM") return;
    var token = form.querySelector("#logo-token");
    if (!token || !token.value) return;
    if (event.detail.formData) event.detail.formData.delete("logo");
    if (event.detail.parameters && event.detail.parameters.delete) event.detail.parameters.delete("logo");
  });

  // --- "Add another" rows (pillars, past posts) up to their limit. --------------------------
  function updateRepeat(field) {
    var list = field.querySelector("[data-repeat-list]");
    var add = field.querySelector("[data-repeat-add]");
    var max = parseInt(field.getAttribute("data-repeat-max"), 10) || 5;
    var count = list.children.length;
    if (add) add.hidden = count >= max;
    var note = field.querySelector("[data-repeat-count]");
    if (note) note.textContent = count >= max ? "That's the maximum of " + max + "." : count + " of up to " + max + ".";
  }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-repeat-add]");
    var remove = event.target.closest("[data-repeat-remove]");
    var field = (add || remove) && (add || remove).closest("[data-repeat]");
    if (!field) return;
    event.preventDefault();
    var list = field.querySelector("[data-repeat-list]");
    if (add) {
      var max = parseInt(field.getAttribute("data-repeat-max"), 10) || 5;
      if (list.children.length >= max) return;
      list.appendChild(field.querySelector("template[data-repeat-template]").content.cloneNode(true));
      var inputs = list.querySelectorAll("input, textarea");
      inputs[inputs.length - 1].focus();
    } else {
      var row = remove.closest(".repeat-row");
      if (list.children.length > 1) {
        row.remove();
      } else {
        row.querySelector("input, textarea").value = "";
      }
    }
    updateRepeat(field);
  });

  // --- Delete: the button wakes up once the name is typed exactly (the server checks too). ---
  function updateDelete(input) {
    var form = input.form;
    var button = form && form.querySelector("[data-delete-button]");
    if (button) button.disabled = input.value.trim() !== input.getAttribute("data-confirm-name");
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-confirm-name]")) updateDelete(event.target);
  });

  // --- After htmx swaps in a wizard step or a settings section: show what matters. ----------
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var wizard = target && target.id === "wizard";
    if (wizard) {
      // The page-level message ("… is created") belongs to the first screen only.
      document.querySelectorAll("main > .flash-stack").forEach(function (stack) { stack.remove(); });
    }
    var error = wizard
      ? target.querySelector(".has-error, .form-errors")
      : document.querySelector(".settings-section .has-error, .settings-section .form-errors");
    if (error) {
      error.scrollIntoView({ block: "center" });
      var input = error.querySelector("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea");
      if (input) input.focus({ preventScroll: true });
    } else if (wizard) {
      window.scrollTo(0, 0);
    }
  });

  function init(root) {
    each(root, "[data-needs-js]", function (el) { el.hidden = false; });
    each(root, "[data-repeat]", updateRepeat);
    each(root, "input[data-confirm-name]", updateDelete);
    // On narrow screens the step list scrolls sideways: keep the current step in sight.
    each(root, ".wizard-steps", function (list) {
      var current = list.querySelector(".is-current");
      if (current && list.scrollWidth > list.clientWidth) {
        list.scrollLeft = current.offsetLeft - (list.clientWidth - current.clientWidth) / 2;
      }
    });
    // A brand that never chose a time zone starts from the browser's.
    each(root, "select[data-browser-timezone]", function (select) {
      select.removeAttribute("data-browser-timezone");
      var zone;
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
      if (!zone) return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) { select.value = zone; break; }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
