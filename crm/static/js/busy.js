// A download that takes a moment (the PDF) says so, rather than looking frozen.
document.addEventListener("click", function (event) {
  "use strict";
  var link = event.target.closest("a[data-busy]");
  if (!link) {
    return;
  }
  var original = link.textContent;
  link.textContent = link.dataset.busy;
  link.setAttribute("aria-busy", "true");
  window.setTimeout(function () {
    link.textContent = original;
    link.removeAttribute("aria-busy");
  }, 4000);
});
