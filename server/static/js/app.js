// Small behaviours shared by every page. htmx sends the CSRF token itself (hx-headers on <body>).
(function () {
  "use strict";

  // "Select all" checkbox for bulk claim; keeps the count on the button current.
  function syncBulk(form) {
    var boxes = form.querySelectorAll("input[name=task_ids]");
    var checked = form.querySelectorAll("input[name=task_ids]:checked").length;
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    var count = form.querySelector("[data-selected-count]");
    if (count) count.textContent = String(checked);
    var button = form.querySelector("[data-bulk-submit]");
    if (button) button.disabled = checked === 0;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.closest && target.closest("form[data-bulk]");
    if (!form) return;
    if (target.hasAttribute("data-select-all")) {
      form.querySelectorAll("input[name=task_ids]").forEach(function (box) { box.checked = target.checked; });
    }
    syncBulk(form);
  });

  function init(root) {
    (root || document).querySelectorAll("form[data-bulk]").forEach(syncBulk);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });

})();
