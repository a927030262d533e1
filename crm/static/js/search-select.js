// A search box that fills a select's options (htmx, hx-get): Enter in it refreshes the options
// rather than submitting the form, whose first submit button is the form's own action.
document.addEventListener("keydown", function (event) {
  "use strict";
  var box = event.target;
  if (event.key !== "Enter" || !window.htmx || !box.matches("input[type=search][hx-get]")) {
    return;
  }
  event.preventDefault();
  window.htmx.trigger(box, "search");
});
