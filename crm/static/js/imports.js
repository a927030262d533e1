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
        if (!progress) {
          return;
        }
        // The words come from the page, in the reader's language; the numbers in their format.
        var phaseKey = "phase" + progress.phase.charAt(0).toUpperCase() + progress.phase.slice(1);
        if (!text.dataset[phaseKey]) {
          // Waiting, done or failed: this run has not begun (what is there is the previous
          // run's end), or it has ended and the server's answer is on its way.
          return;
        }
        var template = progress.total ? text.dataset.withTotal : text.dataset.withoutTotal;
        if (progress.total) {
          bar.max = progress.total;
          bar.value = progress.done;
        }
        text.textContent = template
          .replace("{phase}", text.dataset[phaseKey])
          .replace("{done}", progress.done.toLocaleString(document.documentElement.lang))
          .replace("{total}", (progress.total || 0).toLocaleString(document.documentElement.lang));
      })
      .catch(function () { /* the next poll tries again */ });
  }
  window.setInterval(poll, 700);
});
