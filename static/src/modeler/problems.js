// Problems as the server sends them, in either shape: a LIST of problems (file, line,
// element_id, element_name, code, message, and `consequences` folded under each), or the older
// object keyed by "file:line:element" (or by element id, or by file) with a message each.

const FILE_SUFFIXES = ['.bpmn', '.dmn', '.json'];
const blank = (value) => (value === '-' || value == null ? '' : String(value));

function fromKey(where, message) {
  const parts = String(where).split(':');
  if (parts.length >= 3) {
    const element = parts.pop();
    const line = parts.pop();
    return { file: blank(parts.join(':')), line: Number(blank(line)) || null, element_id: blank(element), message };
  }
  const key = blank(where);
  const isFile = FILE_SUFFIXES.some((suffix) => key.endsWith(suffix)) || key.includes('/');
  return isFile ? { file: key, message } : { element_id: key, message };
}

function one(p) {
  if (typeof p === 'string') return { message: p, consequences: [] };
  if (!p || typeof p !== 'object') return { message: String(p), consequences: [] };
  const messages = Array.isArray(p.message) ? p.message.join('; ') : p.message;
  return {
    file: blank(p.file),
    line: Number(p.line) || null,
    element_id: blank(p.element_id || p.element),
    element_name: blank(p.element_name || p.name),
    code: blank(p.code),
    message: blank(messages),
    consequences: normalizeProblems(p.consequences || []),
  };
}

export function normalizeProblems(raw) {
  if (!raw) return [];
  if (Array.isArray(raw)) return raw.map(one);
  if (typeof raw === 'object') {
    return Object.entries(raw).flatMap(([where, message]) =>
      (Array.isArray(message) ? message : [message]).map((m) => one(fromKey(where, m))),
    );
  }
  return [one(raw)];
}

// The problems an error response carries: the list if it has one, else its per-field messages.
export function problemsOf(data) {
  if (!data) return [];
  if (Array.isArray(data.problems)) return normalizeProblems(data.problems);
  return normalizeProblems(data.fields);
}
