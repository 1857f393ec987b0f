// Storekeeper dashboard: draws each `.chart[data-chart]` with uPlot (vendored), after every
// htmx swap too; on the adjust form, offers the reasons of what happened as soon as it is chosen.
// No build step.
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

  // The server renders the reasons of the kind it was given (and checks the pair when the form is
  // sent); `data-reasons` holds every kind's, so that switching needs no round trip. The reason
  // chosen stays if the new kind offers it, else the kind's default is chosen.
  function reasons(form) {
    var byKind = JSON.parse(form.dataset.reasons), defaults = JSON.parse(form.dataset.defaults);
    var select = form.querySelector("select[name=reason]");
    function show() {
      var checked = form.querySelector("input[name=mode]:checked");
      var kind = checked ? checked.value : "in";
      var keep = select.value, offered = byKind[kind] || [];
      var fits = offered.some(function (r) { return r.code === keep; });
      select.replaceChildren.apply(select, offered.map(function (r) {
        return new Option(r.label, r.code, false, r.code === (fits ? keep : defaults[kind]));
      }));
      form.querySelectorAll("[data-for-mode]").forEach(function (el) {
        var on = el.dataset.forMode === kind;
        el.hidden = !on;
        el.querySelectorAll("input").forEach(function (input) { input.disabled = !on; });
      });
    }
    form.querySelectorAll(".no-script").forEach(function (el) { el.remove(); });
    form.addEventListener("change", function (e) { if (e.target.name === "mode") show(); });
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll();
    document.querySelectorAll("form[data-reasons]").forEach(reasons);
  });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
