/* zhusan-data report site: filter and sort the figures table, point out a quoted figure. */
"use strict";

(function () {
  function setupTable(table) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const input = document.getElementById("filter");
    const count = document.getElementById("filter-count");
    const texts = new Map(rows.map((r) => [r, r.textContent.toLowerCase()]));

    function applyFilter() {
      const terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const row of rows) {
        const text = texts.get(row);
        const hit = terms.every((t) => text.includes(t));
        row.hidden = !hit;
        if (hit) shown += 1;
      }
      count.textContent = shown + " of " + rows.length + " figures";
    }
    input.addEventListener("input", applyFilter);
    applyFilter();

    table.querySelectorAll("th button").forEach((button, column) => {
      button.addEventListener("click", () => {
        const th = button.parentElement;
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const numeric = th.dataset.type === "number";
        // A numeric cell's data-sort holds one or more numbers ("570 600": an interval's
        // lower and upper bound, compared in turn); an empty cell sorts last either way.
        const key = (row) => {
          const cell = row.cells[column];
          const raw = (cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent).trim();
          if (raw === "") return null;
          return numeric ? raw.split(/\s+/).map(Number) : raw.toLowerCase();
        };
        const compare = (ka, kb) => {
          if (!numeric) return ka < kb ? -1 : ka > kb ? 1 : 0;
          for (let i = 0; i < Math.min(ka.length, kb.length); i += 1) {
            if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
          }
          return ka.length - kb.length;
        };
        const keys = new Map(rows.map((r) => [r, key(r)]));
        const sorted = rows.slice().sort((a, b) => {
          const ka = keys.get(a);
          const kb = keys.get(b);
          if (ka === null || kb === null) return (ka === null) - (kb === null);
          const c = compare(ka, kb);
          return ascending ? c : -c;
        });
        sorted.forEach((row) => body.appendChild(row));
      });
    });

    body.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      const row = event.target.closest("tr[data-href]");
      if (row) window.location.href = row.dataset.href;
    });
  }

  function focusFigure() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const panel = document.getElementById("focus");
    document.querySelectorAll(".current").forEach((el) => el.classList.remove("current"));
    const mark = id ? document.getElementById(id) : null;
    if (!mark || !mark.matches("mark.q")) {
      if (panel) panel.hidden = true;
      return;
    }
    const quoted = CSS.escape(id);
    document
      .querySelectorAll('[data-f="' + quoted + '"], .figlist a[href="#' + quoted + '"]')
      .forEach((el) => el.classList.add("current"));
    if (panel) {
      panel.textContent = mark.dataset.label || id;
      panel.hidden = false;
    }
    mark.scrollIntoView({ block: "center" });
  }

  const table = document.getElementById("figures-table");
  if (table) setupTable(table);
  if (document.querySelector(".doc")) {
    window.addEventListener("hashchange", focusFigure);
    // Again once loaded: the browser's own jump to the fragment comes after this script runs.
    window.addEventListener("load", () => requestAnimationFrame(focusFigure));
    focusFigure();
  }
})();
