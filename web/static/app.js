// Orchard's pages work without this script; it adds copy buttons, live harvest progress,
// absolute share links and sort-on-change.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function copyText(field, status) {
    var text = field.value;
    function fallback() {
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      status.textContent = ok ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { status.textContent = "Copied."; }, fallback);
    } else {
      fallback();
    }
  }

  document.querySelectorAll("[data-absolute]").forEach(function (f) {
    f.value = new URL(f.value, location.href).href;
  });

  document.querySelectorAll(".copy-button").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var field = document.getElementById(b.dataset.copy);
      var status = b.parentNode.querySelector(".copied");
      if (field && status) { copyText(field, status); }
    });
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  var live = document.querySelector("[data-progress]");
  if (live && window.EventSource) {
    var bar = document.getElementById("run-progress");
    var counts = document.getElementById("run-counts");
    var status = document.getElementById("run-status");
    var es = new EventSource(live.dataset.progress);
    var final = { succeeded: true, failed: true, cancelled: true };
    var sawActive = false;
    es.addEventListener("progress", function (ev) {
      var p = JSON.parse(ev.data);
      if (!final[p.status]) { sawActive = true; }
      else if (sawActive) {
        // The run just ended: reload once so the history and charts show it.
        es.close();
        location.reload();
        return;
      }
      // The page gives the words in its language: data-status-queued, data-counts with {r}, {u}, ….
      var said = live.dataset["status" + p.status.charAt(0).toUpperCase() + p.status.slice(1)] || p.status;
      var fill = function (s, v) { return s.replace(/\{(\w)\}/g, function (m, k) { return k in v ? v[k] : m; }); };
      if (status) { status.textContent = said; }
      live.dataset.status = p.status;
      live.dataset.records = p.records;
      if (bar) {
        if (p.expected > 0) { bar.max = p.expected; bar.value = Math.min(p.records, p.expected); }
        else if (p.status === "succeeded") { bar.max = 1; bar.value = 1; }
        else { bar.removeAttribute("value"); }
      }
      if (counts) {
        var v = { r: p.records, e: p.expected, u: p.upserted, d: p.deleted, s: said, x: p.rate ? p.rate.toFixed(1) : "" };
        var t = fill(p.expected ? live.dataset.countsExpected : live.dataset.counts, v);
        if (p.rate) { t += fill(live.dataset.rate, v); }
        counts.textContent = t;
      }
    });
  }
})();
