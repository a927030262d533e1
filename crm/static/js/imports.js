// While a preview or an import runs (one long request), poll its progress and show it.
// The state is kept on disk by the server, so any app process can answer the poll.
document.addEventListener("submit", function (event) {
  "use strict";
  var form = event.target.closest("form[data-import-progress]");
  if (!form) {
    return;
  }
  var box = form.querySelector(".import-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".import-progress-text");
  box.hidden = false;
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.setAttribute("aria-disabled", "true");
  });
  function poll() {
    fetch(form.dataset.importProgress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (progress && progress.total) {
          bar.max = progress.total;
          bar.value = progress.done;
          text.textContent = progress.phase + ": " + progress.done.toLocaleString() + " of " + progress.total.toLocaleString() + " rows";
        } else if (progress && progress.phase === "reading") {
          text.textContent = "Reading the file: " + progress.done.toLocaleString() + " rows";
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }
  window.setInterval(poll, 700);
});
