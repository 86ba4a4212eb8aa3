// Amount decisions (调整预算 / 收回结余): redraw the task context's 预算变动核对 panel as the amount is typed
// (原预算 → 调整后，差额) and ask for confirmation when such a decision is submitted. The server renders the
// same panel for the values it shows (server/flows/monitoring/templates/context.html) and enforces the bounds;
// this only saves a round trip. Texts come from the panel's data attributes (translated by the server).
(function () {
  "use strict";

  var panel = document.querySelector("[data-budget-change]");
  var form = document.getElementById("task-form");
  if (!panel || !form) return;

  var budget = Number(panel.getAttribute("data-budget"));
  var amountName = panel.getAttribute("data-amount-field");
  var decisionName = panel.getAttribute("data-decision-field");
  var modes = {};
  modes[panel.getAttribute("data-set")] = "set";
  modes[panel.getAttribute("data-subtract")] = "subtract";
  var lines = panel.querySelector("[data-change-lines]");
  var empty = panel.querySelector("[data-change-empty]");
  var amountInput = form.querySelector('[name="' + amountName + '"]');
  if (!amountInput || !isFinite(budget)) return;

  function text(name) {
    return panel.getAttribute("data-text-" + name) || "";
  }

  function yuan(value) {
    return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " " + text("yuan");
  }

  function amount() {
    var raw = (amountInput.value || "").replace(/[,，\s]/g, "");
    if (raw === "") return null;
    var value = Number(raw);
    return isFinite(value) && value >= 0 ? value : null;
  }

  // The chosen decision when it is a field (select, radio); decision buttons say theirs only on submit.
  function chosenDecision() {
    var field = form.querySelector('select[name="' + decisionName + '"], input[name="' + decisionName + '"]:checked');
    return field && modes[field.value] ? field.value : null;
  }

  function change(kind, value) {
    var after = modes[kind] === "set" ? value : budget - value;
    var difference = Math.round((after - budget) * 100) / 100;
    return text("before") + " " + yuan(budget) + " → " + text("after") + " " + yuan(after) + "，" +
      text("difference") + " " + (difference > 0 ? "+" : "") + yuan(difference);
  }

  function redraw() {
    var value = amount();
    var chosen = chosenDecision();
    var kinds = chosen ? [chosen] : Object.keys(modes);
    lines.textContent = "";
    if (value === null) {
      empty.hidden = false;
      return;
    }
    empty.hidden = true;
    kinds.forEach(function (kind) {
      var item = document.createElement("li");
      item.setAttribute("data-kind", kind);
      var title = document.createElement("strong");
      title.textContent = panel.getAttribute("data-title-" + kind) || kind;
      item.appendChild(title);
      item.appendChild(document.createTextNode("：" + change(kind, value)));
      lines.appendChild(item);
    });
  }

  amountInput.addEventListener("input", redraw);
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === decisionName) redraw();
  });

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("formaction")) return; // 保存草稿 changes nothing
    var kind = button && button.name === decisionName ? button.value : chosenDecision();
    var value = amount();
    if (!kind || !modes[kind] || value === null) return;
    var title = panel.getAttribute("data-title-" + kind) || kind;
    if (!window.confirm(title + "：" + change(kind, value) + "\n" + text("confirm"))) {
      event.preventDefault();
      amountInput.focus();
      return;
    }
    // Say what was confirmed, as the server words it (decision:amount), so it does not ask again.
    var name = panel.getAttribute("data-confirm-field");
    var confirmed = form.querySelector('input[name="' + name + '"]');
    if (!confirmed) {
      confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = name;
      form.appendChild(confirmed);
    }
    confirmed.value = kind + ":" + value.toFixed(2);
  });

  // No redraw on load: the server already drew the panel for the values it shows.
})();
