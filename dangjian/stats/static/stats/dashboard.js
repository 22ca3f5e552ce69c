/* The start page's dashboard: charts drawn with ECharts (served by the app) from the json_script block.
   No inline script (CSP script-src 'self'). Clicking a child organization opens its statistics page. */
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var red = "#c8102e";
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }
  chart("chart-structure", {
    title: { text: "党员队伍结构（占比%）", textStyle: { fontSize: 13 } },
    tooltip: {}, grid: { left: 70, right: 20, top: 35, bottom: 25 },
    xAxis: { type: "value", max: 100 },
    yAxis: { type: "category", data: data.structure.map(function (r) { return r[0]; }) },
    series: [{ type: "bar", data: data.structure.map(function (r) { return r[1]; }), itemStyle: { color: red },
               label: { show: true, position: "right", formatter: "{c}%" } }]
  });
  chart("chart-funnel", {
    title: { text: "发展党员各阶段", textStyle: { fontSize: 13 } }, tooltip: { trigger: "item" },
    series: [{ type: "funnel", top: 35, bottom: 10, sort: "none", label: { formatter: "{b}：{c}" },
               data: data.funnel.map(function (r) { return { name: r[0], value: r[1] }; }) }]
  });
  chart("chart-years", {
    title: { text: "历年发展党员数", textStyle: { fontSize: 13 } }, tooltip: { trigger: "axis" },
    grid: { left: 40, right: 15, top: 35, bottom: 25 },
    xAxis: { type: "category", data: data.years.map(function (r) { return r[0]; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "line", data: data.years.map(function (r) { return r[1]; }), itemStyle: { color: red } }]
  });
  var kids = chart("chart-children", {
    title: { text: "下级组织党员数（点击查看）", textStyle: { fontSize: 13 } }, tooltip: { trigger: "axis" },
    legend: { top: 24, data: ["党员", "发展中", "今年发展"], textStyle: { fontSize: 11 } },
    grid: { left: 45, right: 10, top: 58, bottom: 60 },
    xAxis: { type: "category", data: data.children.map(function (r) { return r.name; }),
             axisLabel: { rotate: 40, fontSize: 10 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "党员", type: "bar", data: data.children.map(function (r) { return r.members; }), itemStyle: { color: red } },
      { name: "发展中", type: "bar", data: data.children.map(function (r) { return r.pipeline; }) },
      { name: "今年发展", type: "bar", data: data.children.map(function (r) { return r.admissions; }) }
    ]
  });
  if (kids) {
    // Anywhere in an organization's column (not only on a bar, which may be tiny) opens its statistics.
    kids.getZr().on("click", function (e) {
      var point = [e.offsetX, e.offsetY];
      if (!kids.containPixel("grid", point)) { return; }
      var index = kids.convertFromPixel({ seriesIndex: 0 }, point)[0];
      var row = data.children[index];
      if (row) { window.location.href = data.drill + encodeURIComponent(row.code); }
    });
  }
}());
