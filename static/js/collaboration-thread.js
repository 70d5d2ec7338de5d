/* A collaboration's thread, live: new messages arrive over the WebSocket (htmx ws extension) and are
   appended out of band. The writer's own page also gets the message in the answer to its post, so a
   message already on the page is not appended twice, and an empty error box stays out of sight. */
(function () {
  "use strict";

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail || {};
    if (!detail.target || detail.target.id !== "thread-messages" || !detail.fragment) return;
    var items = detail.fragment.querySelectorAll("li[id^='message-']");
    var fresh = 0;
    items.forEach(function (item) {
      if (document.getElementById(item.id)) {
        item.remove();
      } else {
        fresh += 1;
      }
    });
    if (!fresh) detail.shouldSwap = false;
    var error = document.getElementById("thread-live-error");
    if (error && fresh) { error.textContent = ""; error.hidden = true; }
  });

  function mark(event, state) {
    var elt = event.target;
    if (elt && elt.id === "thread") elt.dataset.live = state;
  }
  document.addEventListener("htmx:wsOpen", function (event) { mark(event, "open"); });
  document.addEventListener("htmx:wsClose", function (event) { mark(event, "closed"); });
})();
