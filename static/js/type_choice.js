// "Khác…" in a document-type choice: the rest of the catalogue is shown only once chosen.
// Without this script both lists stay visible and the server still requires "Khác…".
(function () {
  document.querySelectorAll("select[data-other]").forEach((select) => {
    const other = document.getElementById(select.dataset.other);
    if (!other) return;
    const sync = () => { other.hidden = select.value !== "khac"; };
    select.addEventListener("change", sync);
    sync();
  });
})();
