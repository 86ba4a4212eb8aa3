// The form editor: after typing stops for a moment, both boxes are posted to the preview URL (JSON, with
// Flask-WTF's token in X-CSRFToken). A good answer replaces the preview; a refusal lists the problems by box and
// line and leaves the last good preview in place.
(function () {
  "use strict";
  var form = document.getElementById("form-editor");
  if (!form) return;
  var schema = document.getElementById("schema-text");
  var ui = document.getElementById("ui-text");
  var preview = document.getElementById("form-preview");
  var box = document.getElementById("form-problems");
  var kept = document.getElementById("kept-note");
  var labels = document.getElementById("problem-labels").dataset;
  var timer = null;
  var sent = 0;

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function showProblems(problems) {
    var list = box.querySelector("ul");
    list.textContent = "";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "editor-problem";
      li.dataset.box = p.box;
      var where = p.box === "ui" ? labels.ui : labels.schema;
      if (p.line) where += " " + labels.line.replace("__N__", p.line);
      li.textContent = where + "：" + p.message;
      list.appendChild(li);
    });
    box.hidden = problems.length === 0;
    kept.hidden = !preview.querySelector("[data-preview]");
  }

  function refresh() {
    var mine = ++sent;
    fetch(form.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token(), "Accept": "application/json" },
      body: JSON.stringify({ schema: schema.value, ui: ui.value })
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (answer) {
      if (mine !== sent) return; // a later keystroke's answer is on its way
      if (answer.ok && answer.body.html) {
        preview.innerHTML = answer.body.html; // rendered by the server's templates, escaped there
        showProblems([]);
      } else {
        showProblems(answer.body.problems || [{ box: "schema", message: answer.body.message || "" }]);
      }
    }).catch(function () { /* offline: the last preview stays */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  schema.addEventListener("input", later);
  ui.addEventListener("input", later);
})();
