// Ask before a destructive action: any submit button or link with data-confirm.
document.addEventListener("click", function (event) {
  "use strict";
  var trigger = event.target.closest("[data-confirm]");
  if (trigger && !window.confirm(trigger.dataset.confirm)) {
    event.preventDefault();
  }
});
