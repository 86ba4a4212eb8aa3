// The version comparison page: both diagrams drawn by the bpmn-js NavigatedViewer (window.BpmnJS, served from
// node_modules) with added / changed / removed elements marked, and the migration of running instances posted to
// the admin API a few at a time so the progress bar moves (each instance moves in its own transaction on the
// server). The instance rows come without their verdict (it loads each workflow): it is fetched from the admin
// API a few rows per request. Without this script the page offers ?check=1 (verdicts in the page), the form
// posts everything at once and the server answers with a result page.
(function () {
  "use strict";

  function parse(text) {
    try { return JSON.parse(text || "[]"); } catch (e) { return []; }
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return String(values[key]); });
  }

  function fail(el, error) {
    var p = document.createElement("p");
    p.className = "flash flash-warning";
    p.textContent = el.getAttribute("data-error-text") || "diagram unavailable";
    el.appendChild(p);
    if (window.console && error) window.console.warn(error);
  }

  // A whole county flow fitted into the box makes its labels unreadable: show the changes at a readable scale,
  // centred on them; 显示全图 fits the whole flow on demand.
  var READABLE = 0.9;

  function readable(canvas, shapes) {
    canvas.zoom("fit-viewport", "auto");
    shapes = shapes.filter(function (s) { return s && s.width; });
    if (!shapes.length || canvas.zoom() >= READABLE) return;
    var x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    shapes.forEach(function (s) {
      x1 = Math.min(x1, s.x); y1 = Math.min(y1, s.y);
      x2 = Math.max(x2, s.x + s.width); y2 = Math.max(y2, s.y + s.height);
    });
    var outer = canvas.viewbox().outer;
    var width = outer.width / READABLE, height = outer.height / READABLE;
    canvas.viewbox({ x: (x1 + x2) / 2 - width / 2, y: (y1 + y2) / 2 - height / 2, width: width, height: height });
  }

  function draw(el) {
    if (typeof window.BpmnJS !== "function") { fail(el, "bpmn-js not loaded"); return; }
    var viewer = new window.BpmnJS({ container: el });
    fetch(el.getAttribute("data-diagram-url"), { credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var marked = [];
        ["added", "changed", "removed"].forEach(function (kind) {
          parse(el.getAttribute("data-" + kind)).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, "jx-" + kind); marked.push(id); }
          });
        });
        function focus() { readable(canvas, marked.map(function (id) { return registry.get(id); })); }
        focus();
        window.JixiaoDiagramZoom.wire(el.closest(".diff-diagram-block"), canvas, focus);
        el.setAttribute("data-marked", JSON.stringify(marked));
        el.setAttribute("data-ready", "true");
      })
      .catch(function (error) { fail(el, error); });
  }

  function apiToken() {
    var meta = document.querySelector('meta[name="api-csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(url, to, ids) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": apiToken(), "Accept": "application/json" },
      body: JSON.stringify({ to_version: to, instance_ids: ids })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (!resp.ok) throw new Error(body.message || ("HTTP " + resp.status));
        return body;
      });
    });
  }

  // A row's verdict cell: a green or red tag, and the reason under a red one.
  function mark(verdict, ok, text, reason) {
    verdict.textContent = "";
    var tag = document.createElement("span");
    tag.className = "diff-tag " + (ok ? "diff-tag-added" : "diff-tag-removed");
    tag.textContent = text;
    verdict.appendChild(tag);
    if (!ok) {
      var why = document.createElement("div");
      why.className = "blocked-reason";
      why.textContent = reason || "";
      verdict.appendChild(why);
    }
  }

  function showVerdict(form, row, movable, reasons) {
    var box = row.querySelector("input[name=instance_ids]");
    row.className = movable ? "movable" : "blocked";
    if (box && !movable) { box.checked = false; box.disabled = true; }
    mark(row.querySelector("[data-verdict]"), movable,
         form.getAttribute(movable ? "data-movable-text" : "data-blocked-text"), reasons.join("；"));
  }

  // Ask for the verdicts of the unchecked rows, a chunk per request, and show how far it got.
  function checkRows(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("tr.unchecked"));
    var status = document.getElementById("verdict-progress");
    if (!rows.length) return;
    var size = parseInt(form.getAttribute("data-chunk"), 10) || 10;
    var done = 0;
    function show() {
      if (status) status.textContent = fill(status.getAttribute("data-template"), { done: done, total: rows.length });
    }
    function next(start) {
      if (start >= rows.length) return Promise.resolve();
      var chunk = rows.slice(start, start + size);
      var ids = chunk.map(function (row) { return row.getAttribute("data-instance"); });
      var url = form.getAttribute("data-verdict-url") + "&instance_ids=" + ids.join(",");
      return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (resp) {
          if (!resp.ok) throw new Error("HTTP " + resp.status);
          return resp.json();
        })
        .then(function (body) {
          body.items.forEach(function (item) {
            var row = form.querySelector('tr.unchecked[data-instance="' + item.id + '"]');
            if (row) showVerdict(form, row, item.movable, item.reasons || []);
          });
          done += chunk.length;
          show();
          return next(start + size);
        });
    }
    show();
    next(0).catch(function (error) {
      if (status) status.textContent = form.getAttribute("data-verdict-error");
      if (window.console) window.console.warn(error);
    });
  }

  function wireSelectAll(form) {
    var all = form.querySelector("[data-select-all]");
    if (!all) return;
    all.addEventListener("change", function () {
      form.querySelectorAll("input[name=instance_ids]:not(:disabled)").forEach(function (box) { box.checked = all.checked; });
    });
  }

  function migrate(form, ids) {
    var progress = document.getElementById("migration-progress");
    var bar = document.getElementById("migration-bar");
    var text = document.getElementById("migration-progress-text");
    var results = document.getElementById("migration-results");
    var list = document.getElementById("migration-result-list");
    var summary = document.getElementById("migration-summary");
    var errorBox = document.getElementById("migration-error");
    var url = form.getAttribute("data-api-url");
    var to = parseInt(form.getAttribute("data-to"), 10);
    var size = parseInt(form.getAttribute("data-chunk"), 10) || 10;
    var done = 0, moved = 0, refused = 0;

    form.querySelectorAll("button, input").forEach(function (el) { el.disabled = true; });
    bar.max = ids.length;
    bar.value = 0;
    progress.hidden = false;
    function show() {
      bar.value = done;
      text.textContent = fill(text.getAttribute("data-template"), { done: done, total: ids.length });
    }
    show();
    function record(r) {
      var li = document.createElement("li");
      li.className = r.moved ? "moved" : "refused";
      li.setAttribute("data-instance", r.instance_id);
      li.textContent = fill(list.getAttribute(r.moved ? "data-moved-text" : "data-refused-text"),
                            { id: r.instance_id, from: r.from_version, to: r.to_version, reason: r.reason || "" });
      list.appendChild(li);
      if (r.moved) moved++; else refused++;
      var row = form.querySelector('tr[data-instance="' + r.instance_id + '"]');
      var verdict = row && row.querySelector("[data-verdict]");
      if (verdict) mark(verdict, r.moved, list.getAttribute(r.moved ? "data-moved-tag" : "data-refused-tag"), r.reason);
    }
    function next(start) {
      if (start >= ids.length) return Promise.resolve();
      var chunk = ids.slice(start, start + size);
      return post(url, to, chunk).then(function (body) {
        body.results.forEach(record);
        done += chunk.length;
        show();
        return next(start + size);
      });
    }
    next(0).catch(function (error) {
      errorBox.textContent = error.message;
      errorBox.hidden = false;
    }).then(function () {
      summary.textContent = fill(summary.getAttribute("data-template"), { moved: moved, refused: refused });
      results.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".diff-diagram").forEach(draw);
    var form = document.getElementById("migration-form");
    if (!form) return;
    wireSelectAll(form);
    checkRows(form);
    form.addEventListener("submit", function (event) {
      var all = event.submitter && event.submitter.name === "all";
      var ids = all ? parse(form.getAttribute("data-all-ids"))
        : Array.prototype.map.call(form.querySelectorAll("input[name=instance_ids]:checked"),
                                   function (box) { return parseInt(box.value, 10); });
      event.preventDefault();
      if (ids.length) migrate(form, ids);
    });
  });
})();
