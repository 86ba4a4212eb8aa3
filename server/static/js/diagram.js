// The instance diagram: bpmn-js NavigatedViewer (window.BpmnJS, served from node_modules by /vendor/),
// with done steps and current open steps marked, the system's own steps (script, service, rule) drawn
// quieter than people's, and zoom buttons. Element ids come from the server in data attributes; lane names
// arrive already readable (the server replaces role codes with the roles' names).
(function () {
  "use strict";

  // Below this scale the labels (14px) shrink under ~12px on screen: the first view stays readable and
  // shows the current step; "fit" shows the whole flow on demand.
  var READABLE = 0.85;
  var INTERNAL = ["bpmn:ScriptTask", "bpmn:ServiceTask", "bpmn:BusinessRuleTask", "bpmn:SendTask"];

  function parse(el, name) {
    try { return JSON.parse(el.getAttribute(name) || "[]"); } catch (e) { return []; }
  }

  function fail(el, error) {
    el.classList.add("diagram-failed");
    var p = document.createElement("p");
    p.className = "flash flash-warning";
    p.textContent = el.getAttribute("data-error-text") || "diagram unavailable";
    el.appendChild(p);
    if (window.console && error) window.console.warn(error);
  }

  function firstShape(registry, ids) {
    for (var i = 0; i < ids.length; i++) {
      var shape = registry.get(ids[i]);
      if (shape && shape.width) return shape;
    }
    return null;
  }

  function readableView(canvas, focus) {
    canvas.zoom("fit-viewport", "auto");
    if (canvas.zoom() >= READABLE) return;
    canvas.zoom(READABLE);
    // From the flow's start (top left, where the lanes are named), moved only as far as needed to bring the
    // current step into view.
    var box = canvas.viewbox(), inner = box.inner, margin = 40;
    var x = inner.x - 10, y = inner.y - 10;
    if (focus && focus.x + focus.width + margin > x + box.width) x = focus.x + focus.width + margin - box.width;
    if (focus && focus.y + focus.height + margin > y + box.height) y = focus.y + focus.height + margin - box.height;
    canvas.viewbox({ x: x, y: y, width: box.width, height: box.height });
  }

  function show(el) {
    if (typeof window.BpmnJS !== "function") { fail(el, "bpmn-js not loaded"); return; }
    var viewer = new window.BpmnJS({
      container: el,
      textRenderer: { defaultStyle: { fontSize: "14px", lineHeight: 1.2 }, externalStyle: { fontSize: "13px" } }
    });
    fetch(el.getAttribute("data-diagram-url"), { credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        function mark(ids, cls) {
          ids.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, cls); });
        }
        registry.filter(function (e) { return INTERNAL.indexOf(e.type) >= 0; })
          .forEach(function (e) { canvas.addMarker(e.id, "jx-internal"); });
        var current = parse(el, "data-current");
        mark(parse(el, "data-done"), "jx-done");
        mark(current, "jx-current");
        var focus = firstShape(registry, current);
        function reset() { readableView(canvas, focus); }
        reset();
        var block = el.closest(".diagram-block");
        if (block) window.JixiaoDiagramZoom.wire(block, canvas, reset);
        el.setAttribute("data-ready", "true");
      })
      .catch(function (error) { fail(el, error); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("diagram");
    if (el) show(el);
  });
})();
