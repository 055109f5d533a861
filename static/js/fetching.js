// A reused component whose file is still on its way from Kho DL or a national database
// (data-fetch="pending") shows its file without a reload: the page asks itself again, soon at
// first and then less often (1 s doubling up to 10 s, for at most 3 minutes), and puts the new
// component lists ([data-component-list]) in place; the form beside them is left alone. It
// stops once nothing is pending, and waits while the page is hidden.
(function () {
  const PENDING = '[data-component-list] [data-fetch="pending"]';
  if (!document.querySelector(PENDING)) return;
  const FIRST = 1000, LAST = 10000, GIVE_UP = 180000;
  let delay = FIRST, timer = null;
  const started = Date.now();

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!document.querySelector(PENDING) || document.hidden) return;
    if (Date.now() - started > GIVE_UP) return;
    timer = setTimeout(ask, delay);
  }

  function ask() {
    fetch(location.pathname + location.search, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        const lists = document.querySelectorAll("[data-component-list]");
        const next = fresh.querySelectorAll("[data-component-list]");
        lists.forEach((list, i) => {
          if (next[i] && next[i].innerHTML !== list.innerHTML) list.replaceWith(document.importNode(next[i], true));
        });
        document.body.dataset.componentsRefreshed = String(Date.now());
        delay = Math.min(delay * 2, LAST);
        schedule();
      })
      .catch(() => { delay = Math.min(delay * 2, LAST); schedule(); });
  }

  document.addEventListener("visibilitychange", schedule);
  schedule();
})();
