// Storekeeper dashboard: draws each `.chart[data-chart]` with uPlot (vendored), after every
// htmx swap too; on the adjust form, offers the reasons of what happened as soon as it is chosen;
// the scan field takes a scanner's burst and the camera (the browser's BarcodeDetector, else the
// vendored one); the stock forms get - and + beside their quantities and start at their first
// empty field.
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
  // A stock form's quantity field has the focus when the page opens (`firstEmpty`), so a burst
  // there, of at least QUANTITY_BURST keys ending in Enter, is a scan too: the field gets back what
  // it held and the scan field sends the code, rather than the stock form recording a barcode's
  // digits as a quantity.
  var MAX_GAP = 50, MIN_LENGTH = 3, QUANTITY_BURST = 4;
  function scanning(form) {
    var input = form.querySelector("[data-scan-input]");
    var buffer = "", last = 0, before = null;
    document.addEventListener("keydown", function (e) {
      var target = e.target, now = Date.now();
      var quantity = target && target.matches && target.matches("form.one-hand input[data-step]");
      if (!quantity && target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      if (now - last > MAX_GAP) { buffer = ""; before = quantity ? target.value : null; }
      last = now;
      if (e.key === "Enter") {
        if (buffer.length >= (quantity ? QUANTITY_BURST : MIN_LENGTH)) {
          if (quantity && before !== null) target.value = before;
          input.value = buffer; e.preventDefault(); form.requestSubmit();
        }
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

  // The stock forms held in one hand (partials/one_hand.html): - and + beside each quantity field
  // step it by one, written in the workspace's decimal mark ("2,5" + 1 is "3,5"; groups of
  // thousands are dropped), never below 0; a field that holds no number becomes 1 (+) or stays.
  // Without this script the fields are plain, and the server reads them the same.
  function parseLocal(text, mark) {
    var group = mark === "," ? /[.\s\u00a0\u202f']/g : /[,\s\u00a0\u202f']/g;
    var plain = text.trim().replace(group, "");
    var match = new RegExp("^(\\d*)(?:\\" + mark + "(\\d*))?$").exec(plain);
    if (!match || !(match[1] || match[2])) return null;
    return { whole: Number(match[1] || "0"), fraction: match[2] || "" };
  }
  function step(input, by) {
    var mark = input.dataset.mark || ".", now = parseLocal(input.value, mark);
    if (!now) {
      if (by < 0 || input.value.trim()) return;  // what is typed is not ours to guess at
      input.value = "1";
    } else {
      var whole = now.whole + by, fraction = now.fraction;
      if (whole < 0) { whole = 0; fraction = ""; }
      if (!Number.isSafeInteger(whole)) return;
      input.value = String(whole) + (/[1-9]/.test(fraction) ? mark + fraction : "");
    }
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  // The field is rendered first in its .stepper, so that its label names it and not a button
  // (app.css shows - before it), and it is never moved: a field moved loses the focus and what a
  // quick hand types into it while the page loads.
  function stepper(input) {
    var what = input.dataset.stepOf ? " of " + input.dataset.stepOf : "", wrap = input.parentNode;
    if (!wrap.classList.contains("stepper")) return;
    [["less", "\u2212", "One less", -1], ["more", "+", "One more", 1]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button"; button.className = "secondary step " + b[0]; button.textContent = b[1];
      button.setAttribute("aria-label", b[2] + what);
      button.addEventListener("click", function () { step(input, b[3]); });
      wrap.appendChild(button);
    });
  }
  // The first field left to fill takes the focus, as a person starts there; after a refusal the
  // page's error says which field (after a question, the button answers it), and the person
  // chooses where to start again; a field the person chose while the page loaded keeps it. The page does not jump to a form further down (an
  // order's page is read first), but a field just under the phone's bar comes up above it.
  function firstEmpty(form) {
    if (form.closest("main").querySelector(".error, .confirm")) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    var empty = Array.prototype.find.call(form.querySelectorAll("input:not([type=hidden]):not([type=radio]):not([type=checkbox])"),
      function (input) { return !input.value && !input.disabled && input.offsetParent !== null; });
    if (!empty) return;
    empty.focus({ preventScroll: true });
    var bar = form.querySelector(".thumb-bar"), box = empty.getBoundingClientRect();
    if (bar && getComputedStyle(bar).position === "fixed" && box.top < window.innerHeight &&
        box.bottom > bar.getBoundingClientRect().top) empty.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll();
    document.querySelectorAll("form[data-reasons]").forEach(reasons);
    document.querySelectorAll("form.one-hand input[data-step]").forEach(stepper);
    var scan = document.querySelector("form[data-scan]");
    if (scan) scanning(scan);
    var stock = document.querySelector("form.one-hand");
    if (stock) firstEmpty(stock);
  });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
