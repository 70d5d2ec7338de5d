/* The composer: counters on load, the X thread's tweets (add, clear), the AI helpers' suggestions
   (use them in the text, the thread or as hashtags), and the autosave indicator when a save fails
   (the text always stays in the page). Counting is posts.js's (window.xWeightedLength). */
(function () {
  "use strict";

  function form() { return document.getElementById("composer-form"); }

  function count(field) {
    var counter = field.parentNode.querySelector("[data-counter]");
    if (!counter || !window.xWeightedLength) return;
    var length = field.dataset.count === "x" ? window.xWeightedLength(field.value) : Array.from(field.value).length;
    counter.querySelector("[data-length]").textContent = length;
    counter.classList.toggle("over", length > parseInt(field.dataset.limit, 10));
  }
  // The common text is counted against the strictest platform that publishes it: X (unless X
  // gets the thread) or the Sandbox (unless it has its own text), else LinkedIn.
  function picked(value) {
    var box = document.querySelector("#composer-form input[name=platforms][value=" + value + "]");
    return box && box.checked;
  }
  function syncTextCounter() {
    var text = document.getElementById("id_text");
    if (!text) return;
    var tweets = Array.from(document.querySelectorAll("#composer-thread textarea")).filter(function (t) { return t.value.trim(); });
    var sandboxOwn = document.getElementById("id_override_sandbox");
    var x = (picked("x") && tweets.length < 2) || (picked("sandbox") && !(sandboxOwn && sandboxOwn.value.trim()));
    var label = x ? (picked("x") && tweets.length < 2 ? "X · " : "Sandbox · ") : "LinkedIn · ";
    text.dataset.count = x ? "x" : "chars";
    text.dataset.limit = x ? "280" : "3000";
    var counter = document.getElementById("composer-text-counter");
    counter.querySelector(".muted").textContent = label;
    counter.lastChild.textContent = " / " + text.dataset.limit;
    count(text);
  }
  function countAll() { document.querySelectorAll("#composer-form [data-count]").forEach(count); syncTextCounter(); }
  document.addEventListener("input", function (event) { if (event.target.closest && event.target.closest("#composer-form")) syncTextCounter(); });
  document.addEventListener("change", function (event) { if (event.target.closest && event.target.closest("#composer-form")) syncTextCounter(); });
  function changed() { var f = form(); if (f) f.dispatchEvent(new Event("composer:changed", { bubbles: true })); }

  function tweet(list, text) {
    var n = list.children.length + 1;
    var li = document.createElement("li");
    li.className = "copy-part copy-field";
    li.innerHTML = '<label class="visually-hidden"></label><textarea name="thread" rows="3" class="copy-text" data-count="x" data-limit="280"></textarea>' +
      '<span class="counter" data-counter><span class="muted"></span><span data-length>0</span> / 280</span>';
    var area = li.querySelector("textarea");
    area.id = "thread-" + n;
    area.value = text || "";
    li.querySelector("label").htmlFor = area.id;
    li.querySelector("label").textContent = "Tweet " + n;
    li.querySelector(".muted").textContent = "Tweet " + n + " · ";
    list.appendChild(li);
    count(area);
    return area;
  }
  function threadList() { return document.querySelector("[data-thread-list]"); }
  function setThread(parts) {
    var list = threadList();
    list.innerHTML = "";
    parts.forEach(function (p) { tweet(list, p); });
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("button");
    if (!el) return;
    if (el.matches("[data-thread-add]")) {
      var list = threadList();
      if (list.children.length >= parseInt(document.getElementById("composer-thread").dataset.max, 10)) return;
      if (!list.children.length) tweet(list, "");
      tweet(list, "").focus();
      changed();
    } else if (el.matches("[data-thread-clear]")) {
      threadList().innerHTML = "";
      syncTextCounter();
      changed();
    } else if (el.matches("[data-use-suggestion]")) {
      var data = document.getElementById("composer-suggested-parts");
      var parts = data ? JSON.parse(data.textContent) : [];
      if (el.dataset.useSuggestion === "thread") {
        setThread(parts);
        syncTextCounter();
      } else {
        var text = document.getElementById("id_text");
        text.value = parts.join("\n\n");
        count(text);
      }
      document.getElementById("composer-assist").innerHTML = "";
      changed();
    } else if (el.matches("[data-hashtag]")) {
      var area = document.getElementById("id_text");
      area.value = area.value.replace(/\s*$/, "") + (area.value.trim() ? " " : "") + el.dataset.hashtag;
      el.disabled = true;
      count(area);
      changed();
    } else if (el.matches("[data-dismiss-suggestion]")) {
      document.getElementById("composer-assist").innerHTML = "";
    }
  });

  // A refused save (422) or helper still shows its message; a failed request says so.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 422 && target && (target.id === "composer-saved" || target.id === "composer-assist")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  function failed(event) {
    var elt = event.detail.elt;
    var saved = document.getElementById("composer-saved");
    if (!saved || !elt || elt.id !== "composer-form") return;
    saved.textContent = "Not saved: the server did not answer. Your text is still here; it saves again as you type.";
    saved.classList.add("is-error");
    saved.classList.remove("is-saved");
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  document.addEventListener("DOMContentLoaded", countAll);
  if (document.readyState !== "loading") countAll();
})();
