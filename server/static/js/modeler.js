// The admin's BPMN modeler (templates/admin/modeler.html): the bpmn-js Modeler (window.BpmnJS from
// /vendor/bpmn-modeler.js) with Chinese labels (modeler-zh.js), loading the current version's diagram.
// 校验, 部署 and 保存草稿 post the edited XML as JSON with the side panel's lane options (modeler-panel.js) and
// Flask-WTF's token (X-CSRFToken); the answer's problems are marked on their elements (red outline, numbered
// badge) and listed above the canvas, each with a button that selects and shows its element. The page opens the
// admin's draft when there is one (data-diagram-url). Texts come from the page's data-msg-* attributes and the
// panel's JSON config (the server translates).
(function () {
  "use strict";

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(status, kind, text) {
    status.className = "modeler-status" + (kind ? " flash flash-" + kind : "");
    status.textContent = text;
  }

  // The whole diagram in view, its left edge clear of the palette (which floats over the canvas' left side).
  function fitBesidePalette(canvas, el) {
    canvas.zoom("fit-viewport", "auto");
    var inner = canvas.viewbox().inner;
    var palette = el.querySelector(".djs-palette");
    var share = ((palette ? palette.offsetWidth : 0) + 24) / Math.max(el.clientWidth, 1);
    if (!inner.width || share >= 0.5) return;
    var left = share * (inner.width + 24) / (1 - share);
    canvas.viewbox({ x: inner.x - left, y: inner.y - 24, width: inner.width + left + 24, height: inner.height + 48 });
  }

  function setup(el) {
    var status = document.getElementById("modeler-status");
    var list = document.getElementById("modeler-problems");
    var buttons = document.querySelectorAll("[data-modeler-action]");
    var msg = function (name) { return el.getAttribute("data-msg-" + name) || ""; };
    if (typeof window.BpmnJS !== "function") { say(status, "error", msg("load-failed")); return; }

    var modules = [];
    if (el.getAttribute("data-lang") !== "en" && window.JixiaoModelerZh) {
      modules.push({ translate: window.JixiaoModelerZh.translate });
    }
    var modeler = new window.BpmnJS({ container: el, additionalModules: modules });
    var base = parseInt(el.getAttribute("data-base"), 10);
    var marked = [];
    var panel = null;
    var draftLine = document.getElementById("modeler-draft-line");
    var config = JSON.parse((document.getElementById("modeler-panel-config") || {}).textContent || "{}");

    // SpiffWorkflow names a multi-instance step's collections by variable (loopDataInputRef panel_experts)
    // where BPMN expects the id of a data element: bpmn-js drops such a reference on import, and the step
    // would then fail 校验. Each one is kept as a reference to a stand-in with that id, which saves as written.
    var VARIABLE_REFS = ["bpmn:loopDataInputRef", "bpmn:loopDataOutputRef"];
    function load(xml) {
      return modeler.importXML(xml).then(function (result) {
        var moddle = modeler.get("moddle");
        (result.warnings || []).forEach(function (w) {
          if (VARIABLE_REFS.indexOf(w.property) < 0 || !w.element || !w.value) return;
          w.element[w.property.split(":")[1]] = moddle.create("bpmn:ItemAwareElement", { id: w.value });
        });
        return result;
      });
    }

    function clearProblems() {
      var canvas = modeler.get("canvas");
      marked.forEach(function (id) { canvas.removeMarker(id, "jx-invalid"); });
      marked = [];
      modeler.get("overlays").remove({ type: "jx-problem" });
      list.replaceChildren();
      list.hidden = true;
    }

    function showElement(id) {
      var element = modeler.get("elementRegistry").get(id);
      if (!element) return;
      modeler.get("canvas").scrollToElement(element);
      modeler.get("selection").select(element);
    }

    function showProblems(problems) {
      var registry = modeler.get("elementRegistry");
      var canvas = modeler.get("canvas");
      var overlays = modeler.get("overlays");
      problems.forEach(function (problem, index) {
        var number = String(index + 1);
        var item = document.createElement("li");
        item.setAttribute("data-element-id", problem.element_id || "");
        var where = document.createElement("span");
        where.className = "code";
        where.textContent = problem.element_id || problem.file || msg("whole");
        item.append(where, problem.message);
        if (problem.element_id && registry.get(problem.element_id)) {
          canvas.addMarker(problem.element_id, "jx-invalid");
          marked.push(problem.element_id);
          var badge = document.createElement("div");
          badge.className = "jx-problem-badge";
          badge.textContent = number;
          badge.title = problem.message;
          overlays.add(problem.element_id, "jx-problem", { position: { top: -10, right: 10 }, html: badge });
          var show = document.createElement("button");
          show.type = "button";
          show.className = "small";
          show.textContent = msg("show");
          show.addEventListener("click", function () { showElement(problem.element_id); });
          item.append(show);
        }
        list.appendChild(item);
      });
      list.hidden = problems.length === 0;
    }

    function post(action) {
      var url = el.getAttribute("data-" + action + "-url");
      buttons.forEach(function (b) { b.disabled = true; });
      clearProblems();
      say(status, "info", msg({ deploy: "deploying", draft: "saving", discard: "saving" }[action] || "checking"));
      var payload = action === "discard" ? Promise.resolve({}) : modeler.saveXML({ format: true }).then(function (saved) {
        var body = panel ? panel.laneOptions() : {};
        body.xml = saved.xml;
        body.base = base;
        return body;
      });
      payload
        .then(function (body) {
          return fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": token(), "Accept": "application/json" },
            body: JSON.stringify(body)
          });
        })
        .then(function (resp) {
          return resp.json().catch(function () { return { message: msg("failed") + " (HTTP " + resp.status + ")" }; })
            .then(function (body) { return { ok: resp.ok, body: body }; });
        })
        .then(function (answer) {
          var body = answer.body || {};
          if (answer.ok) {
            if (action === "discard") { window.location.reload(); return; }  // back to the deployed version
            if (action === "draft") {
              document.getElementById("modeler-draft-text").textContent = body.draft || "";
              draftLine.hidden = false;
            }
            if (action === "deploy") draftLine.hidden = true;  // the deploy removed the draft
            if (body.version) {
              base = body.version;
              el.setAttribute("data-base", String(base));
              el.setAttribute("data-deployed-version", String(base));
              if (body.note) document.getElementById("modeler-note").textContent = body.note;
            }
            say(status, "success", body.message || "");
            return;
          }
          // A check's refusal already says so ("流程校验未通过：…"); a deploy's adds that nothing changed.
          say(status, "error", (action === "deploy" ? msg("refused") : "") + (body.message || msg("failed")));
          showProblems(body.problems || []);
        })
        .catch(function (error) {
          say(status, "error", msg("failed"));
          if (window.console) window.console.warn(error);
        })
        .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
    }

    // A diagram from disk (drawn elsewhere) replaces the canvas; on a file bpmn-js cannot read, the diagram
    // that was there comes back. The panel reads the new lanes (a lane named as before keeps its role).
    function openFile(input) {
      var file = input.files && input.files[0];
      input.value = "";
      if (!file) return;
      if (file.size > 1024 * 1024) { say(status, "error", msg("file-too-large")); return; }
      clearProblems();
      var before;
      modeler.saveXML().then(function (saved) { before = saved.xml; return file.text(); })
        .then(function (text) { return load(text); })
        .then(function () {
          fitBesidePalette(modeler.get("canvas"), el);
          if (panel) panel.reload();
          say(status, "info", msg("file-opened").replace("{name}", file.name));
        })
        .catch(function (error) {
          say(status, "error", msg("load-failed") + "：" + file.name);
          if (window.console) window.console.warn(error);
          if (before) load(before).then(function () { if (panel) panel.reload(); });
        });
    }

    say(status, "", msg("loading"));
    fetch(el.getAttribute("data-diagram-url"), { credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.text();
      })
      .then(function (xml) { return load(xml); })
      .then(function () {
        fitBesidePalette(modeler.get("canvas"), el);
        if (window.JixiaoModelerPanel) {
          panel = window.JixiaoModelerPanel.create(modeler, document.getElementById("modeler-panel"), config);
        }
        say(status, "", el.hasAttribute("data-draft-open") ? msg("draft-opened") : "");
        buttons.forEach(function (b) {
          b.addEventListener("click", function () { post(b.getAttribute("data-modeler-action")); });
          b.disabled = false;
        });
        var open = document.getElementById("modeler-open");
        if (open) {
          open.addEventListener("change", function () { openFile(open); });
          open.disabled = false;
        }
        el.setAttribute("data-ready", "true");
      })
      .catch(function (error) {
        say(status, "error", msg("load-failed"));
        if (window.console) window.console.warn(error);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("modeler");
    if (el) setup(el);
  });
})();
