/* Analytics charts: draws every [data-chart] element with uPlot (vendored in static/vendor/uplot/)
   from the JSON the server put in the <script type="application/json"> named by data-chart:
   {x: [unix seconds of each day or week start], tz, bucket: "day"|"week", kind: "line"|"bars",
    series: [{label, color, format: "pct"|"reward"|"number", values: [number|null]}]}.
   Charts are drawn again after an htmx swap and follow their box's width. */
(function () {
  "use strict";

  var DAY = 86400;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function format(kind, value) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    if (kind === "pct") return (value * 100).toFixed(value < 0.1 ? 2 : 1) + "%";
    if (kind === "reward") return value.toFixed(2);
    return Math.round(value) === value ? String(value) : value.toFixed(1);
  }

  function theme() {
    var style = getComputedStyle(document.documentElement);
    var get = function (name, fallback) { return (style.getPropertyValue(name) || "").trim() || fallback; };
    return { text: get("--muted", "#5b6275"), grid: get("--border", "#e3e6ef") };
  }

  function dayLabel(date) {
    return date.getDate() + " " + MONTHS[date.getMonth()];
  }

  function build(el, spec) {
    var colors = theme();
    var step = spec.bucket === "week" ? 7 * DAY : DAY;
    var toDate = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), spec.tz || "UTC"); };
    var yFormat = spec.series.length ? spec.series[0].format : "number";
    var bars = spec.kind === "bars";
    var count = spec.series.length;
    var series = [{ label: spec.bucket === "week" ? "Week of" : "Day", value: function (u, ts) { return ts == null ? "—" : dayLabel(toDate(ts)); } }];
    spec.series.forEach(function (s, i) {
      var entry = {
        label: s.label,
        stroke: s.color,
        width: bars ? 0 : 2,
        spanGaps: true,
        value: function (u, v) { return format(s.format, v); },
        points: { show: !bars, size: 6, fill: s.color },
      };
      if (bars) {
        var align = count === 1 ? 0 : (i === 0 ? -1 : 1);
        entry.fill = s.color;
        entry.paths = uPlot.paths.bars({ size: [count === 1 ? 0.6 : 0.38, 48], align: align });
      } else {
        entry.fill = s.color + "1a";
      }
      series.push(entry);
    });
    var axis = { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    return {
      width: Math.max(240, el.clientWidth),
      height: parseInt(el.dataset.height || "220", 10),
      tzDate: toDate,
      series: series,
      cursor: { points: { size: 8 }, drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        x: { time: true, range: function (u, min, max) { return [min - step / 2, max + step / 2]; } },
        y: {
          range: function (u, min, max) {
            if (max === null || max === undefined || isNaN(max) || max <= 0) {
              return [0, yFormat === "pct" ? 0.05 : yFormat === "reward" ? 1 : 1];
            }
            return [0, yFormat === "number" ? Math.max(1, Math.ceil(max * 1.15)) : max * 1.15];
          },
        },
      },
      axes: [
        Object.assign({}, axis, {
          space: 64,
          values: function (u, splits) { return splits.map(function (ts) { return dayLabel(toDate(ts)); }); },
          incrs: spec.bucket === "week" ? [7 * DAY, 14 * DAY, 28 * DAY, 56 * DAY] : [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY],
        }),
        Object.assign({}, axis, {
          size: 56,
          values: function (u, splits) { return splits.map(function (v) { return format(yFormat, v); }); },
          incrs: yFormat === "number" ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] : undefined,
        }),
      ],
    };
  }

  function draw(el) {
    if (el._chart || typeof uPlot === "undefined") return;
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    el._chart = new uPlot(build(el, spec), data, el);
    el.classList.add("an-chart-ready");
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function () {
        if (el._chart && el.clientWidth) el._chart.setSize({ width: el.clientWidth, height: el._chart.height });
      });
      observer.observe(el);
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:afterSettle", function () { drawAll(document); });
  window.analyticsCharts = { drawAll: drawAll };
})();
