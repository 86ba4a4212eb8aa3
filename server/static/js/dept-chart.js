// 部门整体绩效 mid-year monitoring on the department page: each quantitative indicator's progress as a bar in its
// warning colour, against the time line (100%), drawn with ECharts from the JSON block the chart element names
// (data-dept-chart). The indicator table beside it carries the same numbers without JavaScript.
(function () {
  "use strict";
  const COLOURS = { red: "#c0392b", yellow: "#d4a017", green: "#1e7b34", blue: "#1d5fbf" };
  function draw(el) {
    const source = document.getElementById(el.dataset.deptChart);
    if (!source || typeof window.echarts === "undefined") return;
    let data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    const points = (data && data.points) || [];
    if (!points.length) return;
    const chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      title: { text: el.dataset.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%") },
      grid: { left: 48, right: 24, top: 40, bottom: 72 },
      xAxis: { type: "category", data: points.map((p) => p.label), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
      series: [{
        name: el.dataset.progress, type: "bar", barMaxWidth: 40,
        data: points.map((p) => ({ value: p.progress, itemStyle: { color: COLOURS[p.colour] || "#8a94a6" } })),
        markLine: { symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#8a94a6" },
                    data: [{ yAxis: 60 }, { yAxis: 80 }, { yAxis: 100 }, { yAxis: 120 }] },
      }],
    });
    el.dataset.drawn = "true";
    window.addEventListener("resize", () => chart.resize());
    window.addEventListener("beforeprint", () => chart.resize());
  }
  function drawAll() { document.querySelectorAll("[data-dept-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
