// Double monitoring on the project page: spending progress against goal progress by month, drawn with ECharts
// from the page's JSON block (#monitoring-data). Labels come from the chart element's data-* attributes, so
// they follow the page's language. The table under the chart carries the same numbers without JavaScript.
(function () {
  "use strict";
  function draw() {
    const el = document.getElementById("monitoring-chart");
    const source = document.getElementById("monitoring-data");
    if (!el || !source || typeof window.echarts === "undefined") return;
    let data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    const points = (data && data.points) || [];
    if (!points.length) return;
    const d = el.dataset;
    const chart = window.echarts.init(el);
    const line = (name, key, colour, dashed) => ({
      name: name, type: "line", data: points.map((p) => p[key]), connectNulls: true, symbolSize: 7,
      lineStyle: { color: colour, type: dashed ? "dashed" : "solid", width: dashed ? 1.5 : 2.5 },
      itemStyle: { color: colour },
    });
    chart.setOption({
      animation: false,
      title: { text: d.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%") },
      legend: { bottom: 0 },
      grid: { left: 48, right: 24, top: 40, bottom: 48 },
      xAxis: { type: "category", data: points.map((p) => p.label) },
      yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
      series: [
        line(d.spent, "spent", "#1d5fbf", false),
        line(d.goal, "goal", "#1e7b34", false),
        line(d.time, "time", "#8a94a6", true),
      ],
    });
    el.dataset.drawn = "true";
    window.addEventListener("resize", () => chart.resize());
    window.addEventListener("beforeprint", () => chart.resize());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
