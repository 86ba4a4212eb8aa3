// The zoom buttons beside a bpmn-js diagram (instance page, version diff): [data-zoom] = in / out / fit, or
// anything else for the page's own view (the current step, the changes). Enabled once the diagram is drawn.
(function () {
  "use strict";

  var STEP = 1.25;

  window.JixiaoDiagramZoom = {
    wire: function (block, canvas, home) {
      if (!block) return;
      block.querySelectorAll("[data-zoom]").forEach(function (button) {
        button.addEventListener("click", function () {
          var how = button.getAttribute("data-zoom");
          if (how === "in") canvas.zoom(canvas.zoom() * STEP);
          else if (how === "out") canvas.zoom(canvas.zoom() / STEP);
          else if (how === "fit") canvas.zoom("fit-viewport", "auto");
          else home();
        });
        button.disabled = false;
      });
    }
  };
})();
