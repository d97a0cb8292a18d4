/* The chooser (docs/chooser.md): tick what a binary needs, see the measured images that satisfy all of
 * it, smallest first. It reads the site's own data from the page (#chooser-data, written by the
 * chooser_form macro), loads nothing, and writes every value as text. Without JavaScript the form stays
 * hidden and the page's static lists answer one need at a time. Images are x86-64 ones unless arm64
 * is a need (the same rule as cheatsheet/site/chooser.py's answer). A link may preselect needs:
 * chooser/#need=https,roots-compiled-in.
 */
(function () {
  "use strict";

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function setUp() {
    var form = document.getElementById("chooser");
    var source = document.getElementById("chooser-data");
    if (!form || !source || form.hasAttribute("data-ready")) return;
    form.setAttribute("data-ready", "");
    var data = JSON.parse(source.textContent);
    var boxes = form.querySelectorAll('input[name="need"]');
    var body = form.querySelector("tbody");
    var count = form.querySelector(".chooser-count");

    function chosen() {
      return Array.prototype.filter.call(boxes, function (b) { return b.checked; }).map(function (b) { return b.value; });
    }

    function show() {
      var needs = chosen();
      var arch = needs.indexOf("arm64") >= 0 ? "arm64" : "amd64";
      var found = data.candidates.filter(function (c) {
        if (c.ladder || c.arch !== arch) return false;
        return needs.every(function (n) { return c.needs.indexOf(n) >= 0; });
      });
      body.textContent = "";
      found.forEach(function (c) {
        var row = document.createElement("tr");
        row.setAttribute("data-variant", c.program + "/" + c.variant);
        var first = cell(row, "");
        var code = document.createElement("code");
        code.textContent = c.program + "/" + c.variant;
        first.appendChild(code);
        var details = document.createElement("details");
        var summary = document.createElement("summary");
        summary.textContent = "Full Dockerfile";
        var pre = document.createElement("pre");
        pre.textContent = c.dockerfile;
        var built = document.createElement("p");
        built.className = "chooser-built";
        built.textContent = c.built;
        details.appendChild(summary);
        details.appendChild(built);
        details.appendChild(pre);
        first.appendChild(details);
        cell(row, c.base + (c.arch !== "amd64" ? " (" + c.arch + ")" : ""));
        cell(row, c.libc + " " + c.crt_linkage);
        cell(row, c.tls === "none" ? "–" : c.tls + ", roots " + c.roots + ", " + c.dns);
        cell(row, c.size).setAttribute("data-sort", String(c.image_bytes));
        cell(row, c.alloc_ratio === null ? "–" : c.alloc_ratio.toFixed(2) + "×");
        body.appendChild(row);
      });
      count.textContent = found.length === 0
        ? "No measured image satisfies all of these."
        : found.length + (found.length === 1 ? " measured image satisfies" : " measured images satisfy") +
          (needs.length ? " all of these" : " no particular need") + ", smallest first.";
    }

    var match = /need=([a-z0-9,-]+)/.exec(window.location.hash);
    if (match) {
      var wanted = match[1].split(",");
      Array.prototype.forEach.call(boxes, function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
    }
    Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", show); });
    form.hidden = false;
    show();
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
