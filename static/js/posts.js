/* Post pages: live character counters (X counts by weight, like apps/posts/limits.py), the
   format note of the generate panel, "select all" on the drafts list, and the live-feed state. */
(function () {
  "use strict";

  // X's weighted length, simply: a link counts 23, an emoji 2, other characters 1 in the ranges
  // twitter-text weighs 100 and 2 elsewhere. The server's count is the one approval checks.
  var URL = /(?:https?:\/\/|www\.)[^\s]+|(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|ai|dev|app|eu|uk|de|fr|us|info|biz|me|ly)(?:\/[^\s]*)?(?![\w-])/gi;
  var EMOJI = /[\u{1F1E6}-\u{1F1FF}]{2}|[0-9#*]\uFE0F?\u20E3|\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]*(?:\u200D\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]*)*/gu;
  var ONE = [[0x0000, 0x10FF], [0x2000, 0x200D], [0x2010, 0x201F], [0x2032, 0x2037]];

  function weight(code) {
    for (var i = 0; i < ONE.length; i++) if (code >= ONE[i][0] && code <= ONE[i][1]) return 1;
    return 2;
  }
  function plain(text) {
    var total = 0;
    text = text.replace(EMOJI, function () { total += 2; return ""; });
    for (var ch of text) total += weight(ch.codePointAt(0));
    return total;
  }
  function xLength(text) {
    text = text.normalize("NFC");
    var total = 0;
    text = text.replace(URL, function (match) {
      var trimmed = match.replace(/[.,;:!?)\]}'"’”…]+$/, "");
      total += 23 + plain(match.slice(trimmed.length));
      return "";
    });
    return total + plain(text);
  }
  window.xWeightedLength = xLength;

  function update(field) {
    var counter = field.parentNode.querySelector("[data-counter]");
    if (!counter) return;
    var length = field.dataset.count === "x" ? xLength(field.value) : Array.from(field.value).length;
    var limit = parseInt(field.dataset.limit, 10);
    counter.querySelector("[data-length]").textContent = length;
    counter.classList.toggle("over", length > limit);
  }
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-count]")) update(field);
    if (field.matches && field.matches(".generate-form input")) formatNote(field.form);
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-check-all]")) {
      box.closest("form").querySelectorAll("input[name=post]").forEach(function (b) { b.checked = box.checked; });
    }
  });

  // The generate panel says what a platform gets when it lacks the picked format.
  var FORMATS = { x: ["post", "thread"], linkedin: ["post", "carousel"] };
  var LABELS = { x: "X", linkedin: "LinkedIn" };
  function formatNote(form) {
    var note = form.querySelector("[data-format-note]");
    var picked = form.querySelector("input[name=post_format]:checked");
    if (!note || !picked) return;
    var lines = [];
    form.querySelectorAll("input[name=platforms]:checked").forEach(function (box) {
      if (FORMATS[box.value].indexOf(picked.value) < 0) {
        lines.push(LABELS[box.value] + " has no " + picked.value + ": it gets a post.");
      }
    });
    note.textContent = lines.join(" ");
    note.hidden = !lines.length;
  }

  function mark(event, state) {
    var elt = event.target;
    if (elt && elt.id === "post-live") elt.dataset.live = state;
  }
  document.addEventListener("htmx:wsOpen", function (event) { mark(event, "open"); });
  document.addEventListener("htmx:wsClose", function (event) { mark(event, "closed"); });
})();
