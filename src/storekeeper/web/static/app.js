// Storekeeper dashboard: draws each `.chart[data-chart]` with uPlot (vendored), after every
// htmx swap too. No build step.
(function () {
  function draw(el) {
    if (el.dataset.drawn || !window.uPlot) return;
    var data = JSON.parse(el.dataset.chart);
    el.dataset.drawn = "1";
    var opts = {
      width: Math.max(el.clientWidth - 16, 300), height: 220,
      series: [{}, { label: el.dataset.label || "On hand", stroke: "#2456c7", width: 2, fill: "rgba(36,86,199,0.08)" }],
      axes: [{}, { size: 60 }],
      scales: { x: { time: true } },
    };
    new uPlot(opts, [data.x, data.y], el);
  }
  function drawAll(root) { (root || document).querySelectorAll(".chart[data-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
