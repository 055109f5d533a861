// A dossier page's steps table follows the process without a reload: while the worker still
// has a call to make for the dossier (data-pending="1") the table asks /dossiers/<code>/steps,
// soon at first and then less often (0.3 s doubling up to 5 s, for at most 2 minutes), and
// puts the new rows in place. It stops once nothing is pending, waits while the page is
// hidden, and goes on when it is shown again.
(function () {
  const section = document.getElementById("steps");
  if (!section) return;
  const rows = document.getElementById("steps-rows");
  const where = document.getElementById("steps-where");
  const FIRST = 300, LAST = 5000, GIVE_UP = 120000;
  let delay = FIRST, timer = null, started = Date.now(), shown = null;

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (section.dataset.pending !== "1" || document.hidden) return;
    if (Date.now() - started > GIVE_UP) return;
    timer = setTimeout(ask, delay);
  }

  function ask() {
    fetch(section.dataset.stepsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        if (shown !== data.html) {
          shown = data.html;
          rows.innerHTML = data.html;
          delay = FIRST;
        } else {
          delay = Math.min(delay * 2, LAST);
        }
        if (where) where.textContent = data.where;
        section.dataset.pending = data.pending ? "1" : "0";
        section.dataset.refreshed = String(Date.now());
        schedule();
      })
      .catch(() => { delay = Math.min(delay * 2, LAST); schedule(); });
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) { started = Date.now(); delay = FIRST; }
    schedule();
  });
  schedule();
})();
