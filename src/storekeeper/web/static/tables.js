// Storekeeper dashboard: tables reflow on a phone. Each table in a `.scroll` box gets the class
// `reflow` and each of its cells a `data-label`, its column's heading; under 600 px app.css shows
// each row as a card of "heading: value" lines instead of a table to scroll sideways. Rows added
// by htmx ("More …") are labelled as they arrive. Without script the tables scroll in their box.
// A table marked `no-reflow` stays a table.
(function () {
  function headings(table) {
    var cells = table.tHead ? table.tHead.rows[0].cells : [], names = [];
    for (var i = 0; i < cells.length; i++) {
      for (var span = 0; span < (cells[i].colSpan || 1); span++) names.push(cells[i].textContent.trim());
    }
    return names;
  }
  function label(table) {
    if (table.classList.contains("no-reflow") || !table.tHead) return;
    table.classList.add("reflow");
    var names = headings(table);
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1 && names[column]) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }
  function labelAll() { document.querySelectorAll(".scroll > table").forEach(label); }
  document.addEventListener("DOMContentLoaded", labelAll);
  document.addEventListener("htmx:afterSettle", labelAll);
})();
