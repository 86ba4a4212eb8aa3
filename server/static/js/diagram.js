// The instance diagram: bpmn-js NavigatedViewer (window.BpmnJS, served from node_modules by /vendor/),
// with done steps and current open steps marked. Element ids come from the server in data attributes.
(function () {
  "use strict";

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

  function show(el) {
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
        function mark(ids, cls) {
          ids.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, cls); });
        }
        mark(parse(el, "data-done"), "jx-done");
        mark(parse(el, "data-current"), "jx-current");
        canvas.zoom("fit-viewport", "auto");
        el.setAttribute("data-ready", "true");
      })
      .catch(function (error) { fail(el, error); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("diagram");
    if (el) show(el);
  });
})();
