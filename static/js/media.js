// The media library's uploads: drop files on the zone or pick them; each file is sent on its own
// request so each shows its progress, and the library card the server answers with goes on top.
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("media-upload-form");
    if (!form) return;
    var input = document.getElementById("media-file");
    var zone = document.getElementById("media-drop");
    var list = document.getElementById("media-progress");
    var grid = document.getElementById("media-grid");
    var url = form.dataset.uploadUrl;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    form.classList.add("media-js");  // the picker uploads at once; the submit button is for no-JS

    function recount() {
      var count = document.getElementById("media-count");
      var n = grid.querySelectorAll(".media-card").length;
      if (count) count.textContent = n + (n === 1 ? " file" : " files");
      var empty = document.getElementById("media-empty");
      if (empty) empty.hidden = n > 0;
    }
    new MutationObserver(recount).observe(grid, { childList: true });  // a card added or deleted in place

    function row(name) {
      var li = document.createElement("li");
      li.className = "media-progress-row";
      var label = document.createElement("span");
      label.className = "media-progress-name";
      label.textContent = name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + name);
      var status = document.createElement("span");
      status.className = "media-progress-status small";
      status.textContent = "0 %";
      li.append(label, bar, status);
      list.prepend(li);
      return { li: li, bar: bar, status: status };
    }

    function send(file) {
      var r = row(file.name);
      var data = new FormData();
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        var pct = Math.round((event.loaded / event.total) * 100);
        r.bar.value = pct;
        r.status.textContent = pct < 100 ? pct + " %" : "Checking…";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 200 || xhr.status === 201) {
          r.bar.value = 100;
          r.li.classList.add("done");
          var created = xhr.getResponseHeader("X-Media-Created") === "1";
          r.status.textContent = created ? "Added" : "Already in your library";
          var holder = document.createElement("div");
          holder.innerHTML = xhr.responseText.trim();
          var card = holder.firstElementChild;
          var old = card && document.getElementById(card.id);
          if (old) old.remove();
          if (card) {
            grid.prepend(card);
            if (window.htmx) window.htmx.process(card);
          }
          recount();
        } else {
          r.li.classList.add("failed");
          r.bar.remove();
          r.status.textContent = xhr.responseText || "The upload failed (" + xhr.status + ").";
          r.status.setAttribute("role", "alert");
        }
      });
      xhr.addEventListener("error", function () {
        r.li.classList.add("failed");
        r.status.textContent = "The upload stopped: check the connection and try again.";
      });
      xhr.send(data);
    }

    function sendAll(files) {
      Array.prototype.forEach.call(files, send);
    }

    input.addEventListener("change", function () {
      sendAll(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendAll(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("over");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) sendAll(event.dataTransfer.files);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
