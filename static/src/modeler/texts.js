// The editor's own texts in the page's language. The server renders them once from the
// gettext catalog (Vietnamese source, English catalog) into #editor-texts; the editor asks for
// them by key and this fills in their `%(name)s` placeholders.

export function readTexts(doc) {
  const node = doc.querySelector('#editor-texts');
  return node ? JSON.parse(node.textContent) : {};
}

export function textsFor(texts) {
  // A missing key shows as the key itself, so a forgotten text is visible, not blank.
  return (key, values) =>
    (texts[key] || key).replace(/%\((\w+)\)s/g, (whole, name) =>
      values && name in values ? String(values[name]) : whole,
    );
}
