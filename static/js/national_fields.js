// A field filled from a national database stays read-only until "Sửa thông tin này" is opened
// (the reason is then required by the server); closing it puts the database's value back.
(function () {
  document.querySelectorAll("[data-national]").forEach((box) => {
    const input = box.querySelector("input[name], textarea[name]:not([name$='__reason'])");
    const change = box.querySelector("details.national-change");
    if (!input || !change) return;
    const original = input.value;
    const sync = () => {
      input.readOnly = !change.open;
      if (!change.open) {
        input.value = original;
        const reason = change.querySelector("textarea");
        if (reason) reason.value = "";
      }
    };
    input.readOnly = !change.open;
    change.addEventListener("toggle", sync);
  });
})();
