/* Sortable tables, with no library and no request: click (or Enter/Space on) a column header.
 *
 * A cell sorts by the data-sort value of the first element in it that has one (sizes carry their
 * exact bytes there, see cheatsheet/site/render.py), otherwise by its text; a column whose every filled
 * cell is a number sorts numerically. Cells with no value stay last in either direction: empty ones,
 * a dash, and in a column of keyed cells any cell without a key ("not measured"). Ties keep their order (the sort is
 * stable), and the sorted header carries aria-sort. A header's text becomes a button (so that
 * assistive technology announces a control, reachable by Tab and activated by Enter or Space), with
 * the arrow beside it hidden from assistive technology; a footnote link in the header stays outside
 * the button, and clicking it does not sort. A header cell with no text (the corner above row
 * headers) is never made a sort control. Material's instant navigation replaces the page without
 * reloading scripts, so tables are set up for each document$ emission when Material provides it.
 */
(function () {
  "use strict";

  function sortValue(cell, keyedColumn) {
    if (!cell) return "";
    var keyed = cell.querySelector("[data-sort]");
    if (keyed) return keyed.getAttribute("data-sort").trim();
    if (keyedColumn) return "";
    var text = cell.textContent.trim();
    return /^[–—-]$/.test(text) ? "" : text;
  }

  function isNumber(value) {
    return /^-?[0-9]+(\.[0-9]+)?$/.test(value.replace(/,/g, ""));
  }

  function sortTable(table, header, index) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var keyedColumn = Array.prototype.some.call(body.rows, function (row) {
      return row.cells[index] && row.cells[index].querySelector("[data-sort]");
    });
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, value: sortValue(row.cells[index], keyedColumn), position: position };
    });
    var filled = rows.filter(function (r) { return r.value !== ""; });
    var numeric = filled.length > 0 && filled.every(function (r) { return isNumber(r.value); });
    rows.sort(function (a, b) {
      if (a.value === "" || b.value === "") {
        return (a.value === "") - (b.value === "") || a.position - b.position;
      }
      var order = numeric
        ? parseFloat(a.value.replace(/,/g, "")) - parseFloat(b.value.replace(/,/g, ""))
        : a.value.localeCompare(b.value, undefined, { numeric: true, sensitivity: "base" });
      return (ascending ? order : -order) || a.position - b.position;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    Array.prototype.forEach.call(header.parentNode.cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function holdsLink(node) {
    return node.nodeName === "A" || Boolean(node.querySelector && node.querySelector("a"));
  }

  // The header's text up to its first footnote reference, moved into a button with an arrow. The text
  // may sit in a wrapper with the reference (a span around both): the button then goes inside it.
  // Returns false, changing nothing, when the header has no text before a link.
  function makeButton(header) {
    var box = header;
    while (box.firstChild && box.firstChild.nodeType === 1 && box.firstChild.nodeName !== "A" &&
           box.firstChild.nodeName !== "SUP" && holdsLink(box.firstChild)) {
      box = box.firstChild;
    }
    var moved = [];
    for (var node = box.firstChild; node && !holdsLink(node); node = node.nextSibling) moved.push(node);
    if (!moved.some(function (n) { return n.textContent.trim(); })) return false;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    box.insertBefore(button, box.firstChild);
    moved.forEach(function (n) { button.appendChild(n); });
    var arrow = document.createElement("span");
    arrow.className = "sort-arrow";
    arrow.setAttribute("aria-hidden", "true");
    button.appendChild(arrow);
    return true;
  }

  function setUp(table) {
    if (table.hasAttribute("data-sortable") || !table.tHead || !table.tBodies[0]) return;
    if (table.tBodies[0].rows.length < 2) return;
    table.setAttribute("data-sortable", "");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      if (header.tagName !== "TH" || !header.textContent.trim() || !makeButton(header)) return;
      header.addEventListener("click", function (event) {
        if (event.target.closest("a")) return;
        sortTable(table, header, index);
      });
    });
  }

  function setUpAll() {
    Array.prototype.forEach.call(document.querySelectorAll("article table"), setUp);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUpAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
