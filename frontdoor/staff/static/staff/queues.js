// Queues: a "select all on this page" box for the bulk form. Without JavaScript each row's
// box still works; this only adds the shortcut (shown when the script runs).
(function () {
  "use strict";
  function reveal(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (box) { box.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) { return; }
    var table = box.closest("table");
    table.querySelectorAll("input[name=rows]").forEach(function (row) { row.checked = box.checked; });
  });
})();
