// Drag a card to another column to move the pairing to that stage. The server answers with the
// whole board again (counts included), or with the board and a message when the move was refused.
(function () {
  "use strict";

  function boardQuery() {
    return window.location.search.replace(/^\?/, "");
  }

  function moveCard(card, stageKey) {
    htmx.ajax("POST", card.dataset.moveUrl, {
      target: "#board",
      swap: "outerHTML",
      values: { stage: stageKey, version: card.dataset.version, board_query: boardQuery() },
    });
  }

  // `root` is the document, or what htmx has just loaded: a board, or the list of cards that
  // "Show N more" brings, which is itself a column to drop cards into and drag them from.
  function makeSortable(root) {
    var lists = Array.prototype.slice.call(root.querySelectorAll("[data-board-column]"));
    if (root.matches && root.matches("[data-board-column]")) {
      lists.push(root);
    }
    lists.forEach(function (list) {
      if (list.dataset.sortable) {
        return;
      }
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "board",
        draggable: ".card",
        filter: "details, select, button, input",
        preventOnFilter: false,
        animation: 120,
        onAdd: function (event) {
          // From a column's first cards to those "Show N more" brought, or back: the same
          // stage, no move (the server would refuse it and redraw the board).
          if (event.from.dataset.stageKey === list.dataset.stageKey) {
            return;
          }
          moveCard(event.item, list.dataset.stageKey);
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx && window.Sortable) {
      makeSortable(document);
      htmx.onLoad(function (element) {
        makeSortable(element);
      });
    }
  });
})();
