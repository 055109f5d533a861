// Draws a dossier's model with the path it took and where it waits now.
(function () {
  const data = (id) => JSON.parse(document.getElementById(id).textContent);
  const trace = data("trace");
  const viewer = new BpmnJS({ container: "#trace-canvas" });
  viewer.importXML(trace.xml).then(() => {
    const canvas = viewer.get("canvas");
    canvas.zoom("fit-viewport");
    const registry = viewer.get("elementRegistry");
    const mark = (id, marker) => { if (registry.get(id)) canvas.addMarker(id, marker); };
    trace.done.forEach((id) => mark(id, "done"));
    trace.waiting.forEach((id) => mark(id, "waiting"));
    document.body.dataset.trace = "ready";
  }).catch((err) => {
    document.getElementById("trace-canvas").textContent = err.message;
  });
})();
