/* Trend operations page: show whether the live feed of refresh progress is connected. */
(function () {
  "use strict";
  function mark(event, state) {
    var elt = event.target;
    if (elt && elt.id === "trend-ops-live") elt.dataset.live = state;
  }
  document.addEventListener("htmx:wsOpen", function (event) { mark(event, "open"); });
  document.addEventListener("htmx:wsClose", function (event) { mark(event, "closed"); });
})();
