// Row tables of the task form: add and remove rows, keeping names (indicators.3.unit), ids and row numbers
// dense so server-side errors point at the row the user sees. Plain DOM, no framework; the form also works
// without this script (one blank row is rendered by the server).
(function () {
  "use strict";

  var INDEX = "__INDEX__";

  function rows(table) {
    return Array.prototype.slice.call(table.querySelectorAll("[data-rows] > tr[data-row]"));
  }

  // Rewrite "<path>.<n>" in names, ids and references of one row so that row n becomes `index`.
  function renumber(table, row, index) {
    var path = table.getAttribute("data-path");
    var idPath = "f-" + path.replace(/\./g, "-");
    var namePattern = new RegExp("^" + escapeRe(path) + "\\.(\\d+|" + INDEX + ")");
    var idPattern = new RegExp("(^|\\s|[a-z]-)" + escapeRe(idPath) + "-(\\d+|" + INDEX + ")", "g");
    row.querySelectorAll("[name]").forEach(function (el) {
      el.name = el.name.replace(namePattern, path + "." + index);
    });
    ["id", "for", "aria-describedby"].forEach(function (attr) {
      row.querySelectorAll("[" + attr + "]").forEach(function (el) {
        el.setAttribute(attr, el.getAttribute(attr).replace(idPattern, "$1" + idPath + "-" + index));
      });
    });
    var rowLabel = (table.getAttribute("data-row-label") || "{n}").replace("{n}", String(index + 1));
    row.querySelectorAll("[data-cell-label]").forEach(function (el) {
      el.setAttribute("aria-label", el.getAttribute("data-cell-label") + " · " + rowLabel);
    });
    var number = row.querySelector("[data-row-number]");
    if (number) number.textContent = String(index + 1);
  }

  function escapeRe(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function refresh(table) {
    var list = rows(table);
    list.forEach(function (row, i) { renumber(table, row, i); });
    var max = parseInt(table.getAttribute("data-max-rows") || "0", 10);
    var add = table.querySelector("[data-add-row]");
    if (add) add.disabled = max > 0 && list.length >= max;
  }

  function addRow(table) {
    var template = table.querySelector("template[data-row-template]");
    var body = table.querySelector("[data-rows]");
    if (!template || !body) return;
    var row = template.content.firstElementChild.cloneNode(true);
    body.appendChild(row);
    refresh(table);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function removeRow(table, row) {
    var list = rows(table);
    var at = list.indexOf(row);
    row.parentNode.removeChild(row);
    refresh(table);
    // Keep keyboard users where they were: the next row's first field, else the add button.
    var rest = rows(table);
    var target = rest[Math.min(at, rest.length - 1)];
    var focus = target ? target.querySelector("input:not([type=hidden]), select, textarea")
                       : table.querySelector("[data-add-row]");
    if (focus) focus.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-row], [data-remove-row]");
    if (!button) return;
    var table = button.closest("[data-row-table]");
    if (!table) return;
    event.preventDefault();
    if (button.hasAttribute("data-add-row")) addRow(table);
    else removeRow(table, button.closest("tr[data-row]"));
  });

  // A name chosen from a suggestion list (the indicator library) sets the row's choices it knows (level,
  // operator) and fills its text cells (unit) where the user has not typed anything yet.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var listId = input && input.getAttribute && input.getAttribute("list");
    if (!listId || listId.indexOf("suggest-") !== 0) return;
    var list = document.getElementById(listId);
    var row = input.closest("tr[data-row]") || input.form;
    if (!list || !row) return;
    var chosen = Array.prototype.find.call(list.options, function (o) { return o.value === input.value; });
    if (!chosen) return;
    var fill = JSON.parse(chosen.getAttribute("data-fill") || "{}");
    var prefix = input.name.slice(0, input.name.lastIndexOf(".") + 1);
    ["level1", "level2", "operator", "unit"].concat(Object.keys(fill)).forEach(function (key, i, all) {
      if (all.indexOf(key) !== i || !(key in fill)) return;
      var cell = row.querySelector('[name="' + prefix + key + '"]');
      if (!cell || (cell.tagName !== "SELECT" && cell.value)) return;
      cell.value = fill[key];
      cell.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-row-table]").forEach(refresh);
    // After a refused submit, bring the error summary into view for screen readers and keyboards.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
