// Draws BPMN diagrams and marks elements: every <div data-diagram="ID"> gets the model and
// markers from the JSON script #ID ({"xml": ..., "marks": {"element id": "css class"}}).
(function () {
  const pending = [];
  document.querySelectorAll("[data-diagram]").forEach((container) => {
    const spec = JSON.parse(document.getElementById(container.dataset.diagram).textContent);
    const viewer = new BpmnJS({ container });
    pending.push(viewer.importXML(spec.xml).then(() => {
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      for (const [id, marker] of Object.entries(spec.marks || {})) {
        if (registry.get(id)) canvas.addMarker(id, marker);
      }
    }).catch((err) => { container.textContent = err.message; }));
  });
  Promise.all(pending).then(() => { document.body.dataset.diagrams = "ready"; });
})();
