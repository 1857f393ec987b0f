// Storekeeper dashboard: draws each `.chart[data-chart]` with uPlot (vendored), after every
// htmx swap too; on the adjust form, offers the reasons of what happened as soon as it is chosen;
// the scan field takes a scanner's burst and the camera (the browser's BarcodeDetector, else the
// vendored one).
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

  // The scan field (partials/scan.html) is a plain form: a scanner typing into it and pressing
  // Enter sends it. Here: a scanner's burst typed while nothing is focused goes into it too (a
  // person types slower than MAX_GAP between keys), a stock form sends its current "what
  // happened" along, and the camera is offered where the browser may use one.
  var MAX_GAP = 50, MIN_LENGTH = 3;
  function scanning(form) {
    var input = form.querySelector("[data-scan-input]");
    var buffer = "", last = 0;
    document.addEventListener("keydown", function (e) {
      var target = e.target, now = Date.now();
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      if (now - last > MAX_GAP) buffer = "";
      last = now;
      if (e.key === "Enter") {
        if (buffer.length >= MIN_LENGTH) { input.value = buffer; e.preventDefault(); form.requestSubmit(); }
        buffer = "";
      } else if (e.key.length === 1) {
        buffer += e.key;
      }
    });
    form.addEventListener("submit", function () {
      var stock = document.querySelector("form[data-reasons] input[name=mode]:checked");
      var mode = form.querySelector("input[name=mode]");
      if (stock && mode) mode.value = stock.value;
    });
    camera(form, input);
  }

  // A BarcodeDetector: the browser's own, else the vendored polyfill (barcode-detector, ZXing-C++
  // compiled to WebAssembly: vendor/README.md), loaded on first use and told to take its .wasm
  // from this server, never from the CDN it names by default.
  var VENDOR = "/static/vendor/barcode-detector/", detectorReady = null;
  function barcodeDetector() {
    if (detectorReady) return detectorReady;
    detectorReady = new Promise(function (resolve, reject) {
      if ("BarcodeDetector" in window) { resolve(new window.BarcodeDetector()); return; }
      var script = document.createElement("script");
      script.src = VENDOR + "polyfill.js";
      script.onload = function () {
        window.BarcodeDetectionAPI.prepareZXingModule({
          overrides: { locateFile: function (path, prefix) { return path.endsWith(".wasm") ? VENDOR + path : prefix + path; } },
        });
        resolve(new window.BarcodeDetector());
      };
      script.onerror = function () { detectorReady = null; reject(new Error("no barcode decoder")); };
      document.head.appendChild(script);
    });
    return detectorReady;
  }
  window.storekeeperBarcodeDetector = barcodeDetector;

  // The camera needs getUserMedia, which browsers give only to https pages and localhost.
  function camera(form, input) {
    var button = form.querySelector("[data-camera]"), view = form.querySelector("[data-camera-view]");
    if (!button || !view || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    button.hidden = false;
    var stream = null, timer = null;
    function stop() {
      if (timer) clearInterval(timer);
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null; timer = null; view.hidden = true;
    }
    function fail() { stop(); button.textContent = "No camera"; button.disabled = true; }
    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      Promise.all([barcodeDetector(), navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })])
        .then(function (got) {
          var detector = got[0];
          stream = got[1]; view.srcObject = stream; view.hidden = false; view.play();
          timer = setInterval(function () {
            if (view.readyState < 2) return;
            detector.detect(view).then(function (found) {
              if (!found.length || !stream) return;
              input.value = found[0].rawValue;
              stop();
              form.requestSubmit();
            }).catch(function () {});
          }, 250);
        }, fail);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll();
    document.querySelectorAll("form[data-reasons]").forEach(reasons);
    var scan = document.querySelector("form[data-scan]");
    if (scan) scanning(scan);
  });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
