/* social-medAI — meme maker: the preview's loading state, filter sliders, caption ideas that fill
   the text boxes, and the upload page's text-box editor. Everything works without it: the preview
   is drawn on page load, caption ideas are links, and uploads use the top and bottom boxes. */
(function () {
  "use strict";

  // (a) Live preview. htmx swaps in a new <img>; until it has loaded, the previous picture stays
  // behind it (as the frame's background) with a spinner, so typing does not flash a blank box.
  var lastSrc = "";
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "maker-preview") return;
    var old = event.detail.target.querySelector("[data-preview-image]");
    lastSrc = old && old.complete && old.naturalWidth ? old.currentSrc || old.src : "";
  });
  function watchPreview(root) {
    var img = root.querySelector ? root.querySelector("[data-preview-image]") : null;
    if (!img) return;
    var frame = img.closest(".preview-frame");
    if (img.complete && img.naturalWidth) return;
    frame.classList.add("is-loading");
    if (lastSrc) frame.style.backgroundImage = "url(\"" + lastSrc.replace(/"/g, "%22") + "\")";
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "maker-preview") {
      watchPreview(document.getElementById("maker-preview") || document);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { watchPreview(document); });
  function settle(img, failed) {
    var frame = img.closest(".preview-frame");
    if (!frame) return;
    frame.classList.remove("is-loading");
    frame.style.backgroundImage = "";
    frame.classList.toggle("is-error", failed);
    var status = document.querySelector("[data-preview-status]");
    if (!failed || !status) return;
    status.textContent = "The preview could not be drawn.";
    // The render URL answers errors as JSON {"detail": …} (too many previews a minute, …).
    fetch(img.src, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? null : response.json(); })
      .then(function (body) { if (body && body.detail) status.textContent = "The preview could not be drawn: " + body.detail; })
      .catch(function () {});
  }
  // load and error do not bubble; listen in the capture phase.
  document.addEventListener("load", function (event) {
    if (event.target.matches && event.target.matches("[data-preview-image]")) settle(event.target, false);
  }, true);
  document.addEventListener("error", function (event) {
    if (event.target.matches && event.target.matches("[data-preview-image]")) settle(event.target, true);
  }, true);

  // (b) Slider values next to the sliders: <input type=range data-output="id">.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=range][data-output]")) return;
    var output = document.getElementById(input.dataset.output);
    if (output) output.textContent = input.name === "blur" ? input.value + " px" : "×" + input.value;
    // Moving a filter's slider means using the filter.
    var box = input.closest(".filter-item") && input.closest(".filter-item").querySelector("input[type=checkbox]");
    if (box && !box.checked) box.checked = true;
  });

  // (c) Caption ideas fill the text boxes (and so refresh the preview) instead of reloading.
  document.addEventListener("click", function (event) {
    var chip = event.target.closest ? event.target.closest(".caption-chip[data-texts]") : null;
    if (!chip) return;
    var form = document.getElementById("maker-form");
    if (!form) return;
    var texts;
    try { texts = JSON.parse(chip.dataset.texts); } catch (e) { return; }
    event.preventDefault();
    var inputs = form.querySelectorAll("input[name=text]");
    inputs.forEach(function (input, i) {
      input.value = texts[i] || "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    document.querySelectorAll(".caption-chip.is-used").forEach(function (c) { c.classList.remove("is-used"); });
    chip.classList.add("is-used");
    if (inputs[0]) inputs[0].focus();
  });

  // (d) Upload: the text-box editor. Boxes are fractions of the image (x, y, w, h), written to the
  // hidden "boxes" field as JSON on every change.
  var DEFAULT_BOXES = [
    { x: 0.05, y: 0.02, w: 0.9, h: 0.25 },
    { x: 0.05, y: 0.73, w: 0.9, h: 0.25 },
  ];
  var MAX_BOXES = 10;
  var MIN_SIZE = 0.05;

  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }
  function round(value) { return Math.round(value * 1000) / 1000; }

  function setupBoxEditor(form) {
    var fileInput = form.querySelector("[data-box-editor-file]");
    var editor = form.querySelector("[data-box-editor]");
    var stage = form.querySelector("[data-box-stage]");
    var image = form.querySelector("[data-box-image]");
    var placeholder = form.querySelector("[data-box-placeholder]");
    var hidden = form.querySelector("input[name=boxes]");
    var counter = form.querySelector("[data-box-count]");
    if (!fileInput || !editor || !hidden) return;
    var boxes = [];
    try {
      var saved = JSON.parse(hidden.value || "[]");
      if (Array.isArray(saved) && saved.length) boxes = saved;
    } catch (e) { boxes = []; }
    if (!boxes.length) boxes = DEFAULT_BOXES.map(function (b) { return Object.assign({}, b); });
    var objectUrl = null;

    function save() {
      hidden.value = JSON.stringify(boxes.map(function (b) {
        var middle = b.y + b.h / 2;
        return {
          x: round(b.x), y: round(b.y), w: round(b.w), h: round(b.h),
          align: "center", valign: middle < 0.4 ? "top" : middle > 0.6 ? "bottom" : "middle", uppercase: true,
        };
      }));
      if (counter) counter.textContent = boxes.length + (boxes.length === 1 ? " box" : " boxes");
      form.querySelector("[data-box-add]").disabled = boxes.length >= MAX_BOXES;
    }

    function draw() {
      stage.querySelectorAll(".box-rect").forEach(function (el) { el.remove(); });
      boxes.forEach(function (box, i) {
        var el = document.createElement("div");
        el.className = "box-rect";
        el.style.left = box.x * 100 + "%";
        el.style.top = box.y * 100 + "%";
        el.style.width = box.w * 100 + "%";
        el.style.height = box.h * 100 + "%";
        el.setAttribute("role", "group");
        el.setAttribute("aria-label", "Text box " + (i + 1));
        el.dataset.index = i;
        var label = document.createElement("span");
        label.className = "box-label";
        label.textContent = "Text " + (i + 1);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "box-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Remove text box " + (i + 1));
        remove.addEventListener("click", function (event) {
          event.stopPropagation();
          boxes.splice(i, 1);
          draw();
        });
        var handle = document.createElement("span");
        handle.className = "box-handle";
        handle.setAttribute("aria-hidden", "true");
        el.appendChild(label);
        el.appendChild(remove);
        el.appendChild(handle);
        el.addEventListener("pointerdown", function (event) { startDrag(event, i, event.target === handle); });
        stage.appendChild(el);
      });
      save();
    }

    function startDrag(event, index, resizing) {
      if (event.button !== 0 || event.target.classList.contains("box-remove")) return;
      event.preventDefault();
      var rect = stage.getBoundingClientRect();
      var box = boxes[index];
      var start = { px: event.clientX, py: event.clientY, x: box.x, y: box.y, w: box.w, h: box.h };
      var el = event.currentTarget;
      el.classList.add("is-dragging");
      el.setPointerCapture(event.pointerId);
      function move(e) {
        var dx = (e.clientX - start.px) / rect.width;
        var dy = (e.clientY - start.py) / rect.height;
        if (resizing) {
          box.w = clamp(start.w + dx, MIN_SIZE, 1 - box.x);
          box.h = clamp(start.h + dy, MIN_SIZE, 1 - box.y);
        } else {
          box.x = clamp(start.x + dx, 0, 1 - box.w);
          box.y = clamp(start.y + dy, 0, 1 - box.h);
        }
        el.style.left = box.x * 100 + "%";
        el.style.top = box.y * 100 + "%";
        el.style.width = box.w * 100 + "%";
        el.style.height = box.h * 100 + "%";
      }
      function end() {
        el.removeEventListener("pointermove", move);
        el.removeEventListener("pointerup", end);
        el.removeEventListener("pointercancel", end);
        el.classList.remove("is-dragging");
        draw();
      }
      el.addEventListener("pointermove", move);
      el.addEventListener("pointerup", end);
      el.addEventListener("pointercancel", end);
    }

    form.querySelector("[data-box-add]").addEventListener("click", function () {
      if (boxes.length >= MAX_BOXES) return;
      var n = boxes.length;
      boxes.push({ x: 0.2, y: clamp(0.35 + (n % 4) * 0.05, 0, 0.75), w: 0.6, h: 0.2 });
      draw();
    });
    form.querySelector("[data-box-reset]").addEventListener("click", function () {
      boxes = DEFAULT_BOXES.map(function (b) { return Object.assign({}, b); });
      draw();
    });

    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      if (!file) {
        editor.hidden = true;
        if (placeholder) placeholder.hidden = false;
        return;
      }
      objectUrl = URL.createObjectURL(file);
      image.onload = function () {
        editor.hidden = false;
        if (placeholder) placeholder.hidden = true;
        draw();
      };
      image.onerror = function () {
        editor.hidden = true;
        if (placeholder) {
          placeholder.hidden = false;
          placeholder.textContent = "This browser cannot show the file, so its boxes cannot be placed here; " +
            "the top and bottom boxes will be used (the server checks the file when you upload it).";
        }
        hidden.value = "";
      };
      image.src = objectUrl;
      // Fill the name from the file name when it is still empty.
      var name = form.querySelector("input[name=name]");
      if (name && !name.value) {
        name.value = file.name.replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ").trim().slice(0, 120);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.upload-form").forEach(setupBoxEditor);
  });
})();
