// The form editor's master-data picker (001 §IV.1.a): choose a field of the schema being edited
// and the code (DC0001–DC0022) it is filled from; the schema text gets `"x-master-data"` and the
// editor sees an ordinary edit (its preview and save follow).
(function () {
  const box = document.getElementById("master-data-picker");
  const text = document.getElementById("form-text");
  const fieldSelect = document.getElementById("md-field");
  const codeSelect = document.getElementById("md-code");
  const problem = document.getElementById("md-problem");
  if (!box || !text || !fieldSelect || !codeSelect) return;
  const MARK = "x-master-data";

  const parsed = () => {
    try {
      const schema = JSON.parse(text.value);
      return schema && typeof schema.properties === "object" ? schema : null;
    } catch (e) {
      return null;
    }
  };
  const say = (message) => {
    problem.textContent = message || "";
    problem.hidden = !message;
  };
  const showCode = () => {
    const schema = parsed();
    const spec = schema && schema.properties[fieldSelect.value];
    codeSelect.value = (spec && spec[MARK]) || "";
  };
  const listFields = () => {
    const schema = parsed();
    if (!schema) {  // being typed: the picker waits for valid JSON, and says so
      codeSelect.disabled = fieldSelect.disabled = true;
      say(text.value.trim() ? box.dataset.badJson : "");
      return;
    }
    say("");
    const chosen = fieldSelect.value;
    const names = Object.keys(schema.properties);
    fieldSelect.replaceChildren(...names.map((name) => {
      const option = document.createElement("option");
      const spec = schema.properties[name] || {};
      option.value = name;
      option.textContent = spec.title ? `${name} — ${spec.title}` : name;
      return option;
    }));
    if (names.includes(chosen)) fieldSelect.value = chosen;
    codeSelect.disabled = fieldSelect.disabled = !names.length;
    showCode();
  };
  codeSelect.addEventListener("change", () => {
    const schema = parsed();
    if (!schema) {
      say(box.dataset.badJson);
      showCode();
      return;
    }
    say("");
    const spec = schema.properties[fieldSelect.value];
    if (!spec) return;
    if (codeSelect.value) spec[MARK] = codeSelect.value;
    else delete spec[MARK];
    text.value = JSON.stringify(schema, null, 2);
    text.dispatchEvent(new Event("input", { bubbles: true }));
  });
  fieldSelect.addEventListener("change", showCode);
  text.addEventListener("input", listFields);
  // the editor fills the text itself when a file is chosen or first shown
  const form = document.getElementById("form-file");
  if (form) form.addEventListener("change", () => setTimeout(listFields, 0));
  fieldSelect.addEventListener("focus", listFields);
  document.querySelectorAll("[data-tab=forms]").forEach((b) => b.addEventListener("click", listFields));
  listFields();
})();
