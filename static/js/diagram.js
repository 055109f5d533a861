// Draws a procedure's BPMN model and puts each step's live counts on it.
(function () {
  const data = (id) => JSON.parse(document.getElementById(id).textContent);
  const xml = data("diagram-xml");
  const counts = data("diagram-counts");
  const labels = data("diagram-labels");
  const viewer = new BpmnJS({ container: "#canvas" });
  viewer.importXML(xml).then(() => {
    viewer.get("canvas").zoom("fit-viewport");
    const overlays = viewer.get("overlays");
    for (const [element, c] of Object.entries(counts)) {
      const badge = document.createElement("div");
      badge.className = "step-count" + (c.overdue ? " overdue" : c.due_soon ? " due-soon" : "");
      badge.dataset.element = element;
      badge.title = `${c.open} ${labels.open}, ${c.due_soon} ${labels.due_soon}, ${c.overdue} ${labels.overdue}`;
      badge.textContent = c.overdue ? `${c.open} · ${c.overdue} ${labels.overdue}` : String(c.open);
      try {
        overlays.add(element, { position: { bottom: 12, right: 12 }, html: badge });
      } catch (err) {
        console.warn("no element for counts", element, err);
      }
    }
    document.body.dataset.diagram = "ready";
  }).catch((err) => {
    document.getElementById("canvas").textContent = labels.error + " " + err.message;
  });
})();
