// 驾驶舱 charts, drawn with ECharts from the page's JSON block (#dashboard-data): monitoring colours by month,
// deviations on budget execution against goal achievement, each sector's latest colours, the grade mix. Every
// bar opens the project list that makes it (the same links as the tables under the charts).
(function () {
  "use strict";
  const PALETTE = { red: "#c62828", yellow: "#e0a800", green: "#2e7d32", blue: "#1d5fbf" };
  function chart(id, option, links) {
    const el = document.getElementById(id);
    if (!el) return;
    const c = window.echarts.init(el);
    c.setOption(Object.assign({ animation: false, tooltip: { trigger: "axis" }, legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 56, containLabel: true } }, option));
    c.on("click", (p) => {
      const url = links && links[p.seriesIndex] && links[p.seriesIndex][p.dataIndex];
      if (url && p.value) window.location.href = url;
    });
    el.dataset.drawn = "true";
    window.addEventListener("resize", () => c.resize());
    window.addEventListener("beforeprint", () => c.resize());
  }
  function draw() {
    const source = document.getElementById("dashboard-data");
    if (!source || typeof window.echarts === "undefined") return;
    let d;
    try { d = JSON.parse(source.textContent); } catch (e) { return; }
    const L = d.labels, colours = Object.keys(d.colours);
    const title = (t) => ({ text: t, left: "center", textStyle: { fontSize: 14 } });
    chart("chart-months", {
      title: title(L.by_month), xAxis: { type: "category", data: d.months }, yAxis: { type: "value", minInterval: 1 },
      series: colours.map((c) => ({ name: d.colours[c], type: "bar", stack: "all", data: d.by_month[c],
        itemStyle: { color: PALETTE[c] } })),
    }, colours.map((c) => d.month_links[c]));
    chart("chart-deviating", {
      title: title(L.deviating), xAxis: { type: "category", data: d.months }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: L.execution, type: "bar", data: d.deviating.execution, itemStyle: { color: "#1d5fbf" } },
        { name: L.goal, type: "bar", data: d.deviating.goal, itemStyle: { color: "#8e44ad" } },
      ],
    }, [d.deviating_links.execution, d.deviating_links.goal]);
    chart("chart-sectors", {
      title: title(L.latest), yAxis: { type: "category", data: d.sectors }, xAxis: { type: "value", minInterval: 1 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      series: colours.map((c) => ({ name: d.colours[c], type: "bar", stack: "all", data: d.latest[c],
        itemStyle: { color: PALETTE[c] } })),
    }, colours.map((c) => d.latest_links[c]));
    chart("chart-grades", {
      title: title(L.grades), xAxis: { type: "category", data: d.grades }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: L.self, type: "bar", data: d.self, itemStyle: { color: "#1e7b34" } },
        { name: L.key, type: "bar", data: d.key, itemStyle: { color: "#b5651d" } },
      ],
    }, [d.self_links, d.key_links]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
