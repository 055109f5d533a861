// Tables read as cards on a phone (static/css/app.css, section "phones"): each cell of a
// table of class "list" gets its column's header text in data-label, which the stylesheet
// shows before the value. Generic on purpose: any such table, headers of several rows
// (colspan, rowspan), and rows or tables added after load (polling, filters) are labelled too.
// A label a template sets itself is kept; without this script the cards show no labels.
(function () {
  "use strict";

  function text(cell) {
    return cell.textContent.replace(/\s+/g, " ").trim();
  }

  // The header rows laid out as a grid, so a column under a group ("Tiếp nhận" over "Mới")
  // reads "Tiếp nhận · Mới".
  function columnLabels(table) {
    const grid = [];
    const rows = table.tHead ? Array.from(table.tHead.rows) : [];
    rows.forEach((row, r) => {
      let c = 0;
      for (const cell of row.cells) {
        while (grid[r] && grid[r][c]) c += 1;
        for (let dr = 0; dr < cell.rowSpan; dr += 1) {
          for (let dc = 0; dc < cell.colSpan; dc += 1) {
            (grid[r + dr] = grid[r + dr] || [])[c + dc] = cell;
          }
        }
        c += cell.colSpan;
      }
    });
    const width = Math.max(0, ...grid.map((r) => r.length));
    const labels = [];
    for (let c = 0; c < width; c += 1) {
      const cells = [];
      grid.forEach((r) => { if (r[c] && !cells.includes(r[c])) cells.push(r[c]); });
      labels.push(cells.map(text).filter(Boolean).join(" · "));
    }
    return labels;
  }

  // Rows shown as blocks lose their table semantics in some screen readers: say them.
  function keepRoles(table) {
    table.setAttribute("role", "table");
    table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot")
      .forEach((group) => group.setAttribute("role", "rowgroup"));
    for (const row of table.rows) {
      row.setAttribute("role", "row");
      for (const cell of row.cells) {
        if (!cell.hasAttribute("role")) {
          const header = row.parentElement.tagName === "THEAD" ? "columnheader" : "rowheader";
          cell.setAttribute("role", cell.tagName === "TH" ? header : "cell");
        }
      }
    }
  }

  function label(table) {
    keepRoles(table);
    const labels = columnLabels(table);
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let c = 0;
        for (const cell of row.cells) {
          if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && labels[c]) {
            cell.dataset.label = labels[c];
          }
          c += cell.colSpan;
        }
      }
    }
  }

  function labelAll() {
    document.querySelectorAll("table.list").forEach(label);
  }

  let queued = false;
  function relabelSoon() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(() => { queued = false; labelAll(); });
  }

  function start() {
    labelAll();
    new MutationObserver((changes) => {
      if (changes.some((c) => c.addedNodes.length)) relabelSoon();
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
