// The industry step's search box: typing hides the industry cards whose name and description do
// not contain every word typed. Without JavaScript the box stays hidden and every card shows.
(function () {
  if (window.industrySearchReady) return;
  window.industrySearchReady = true;

  function show(root) {
    root.querySelectorAll("[data-industry-search][hidden]").forEach(function (box) {
      box.hidden = false;
    });
  }

  function filter(input) {
    var field = input.closest("fieldset");
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var cards = field.querySelectorAll("[data-industry-text]");
    var shown = 0;
    cards.forEach(function (card) {
      var text = card.getAttribute("data-industry-text");
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      // The chosen card stays visible so the choice is never hidden from its owner.
      card.hidden = !match && !card.querySelector("input:checked");
      if (match) shown += 1;
    });
    var status = field.querySelector("[data-industry-search-status]");
    if (status) {
      status.textContent = !words.length ? "" : shown
        ? shown + (shown === 1 ? " industry matches." : " industries match.")
        : "No industry matches. Pick Other and describe yours below.";
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-industry-search] input")) filter(event.target);
  });
  // Enter in the search box picks the only match instead of submitting the step.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-industry-search] input")) return;
    event.preventDefault();
    var visible = event.target.closest("fieldset").querySelectorAll("[data-industry-text]:not([hidden]) input");
    if (visible.length === 1) visible[0].click();
  });
  document.addEventListener("htmx:afterSettle", function (event) { show(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { show(document); });
  } else {
    show(document);
  }
})();
