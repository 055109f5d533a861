// The task screen's inline viewer: a dossier's PDFs drawn page by page with pdf.js (bundled
// from pdfjs-dist into static/vendor/pdfjs, its worker loaded from this site), images shown
// as they are. Each file comes from a route that checks who may see it.
const viewer = document.getElementById("viewer");
const pages = document.getElementById("viewer-pages");
const title = document.getElementById("viewer-title");
const openLink = document.getElementById("viewer-open");
let pdfjs = null;
let current = null; // {doc, scale} of the PDF on screen
let zoom = 0; // 0: fit the width; otherwise steps of 25 %

async function library() {
  if (!pdfjs) {
    pdfjs = await import(viewer.dataset.library);
    pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.worker;
  }
  return pdfjs;
}

function say(text) {
  pages.replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: text }));
}

async function drawPages() {
  const { doc } = current;
  const width = pages.clientWidth - 16;
  const frames = [];
  for (let n = 1; n <= doc.numPages; n += 1) {
    const page = await doc.getPage(n);
    const natural = page.getViewport({ scale: 1 });
    const fit = Math.max(width, 200) / natural.width;
    const scale = zoom === 0 ? fit : Math.max(0.25, fit * (1 + zoom * 0.25));
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    canvas.className = "viewer-page";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${viewer.dataset.pageLabel} ${n}/${doc.numPages}`);
    const context = canvas.getContext("2d");
    await page.render({
      canvas,
      canvasContext: context,
      viewport,
      transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    }).promise;
    frames.push(canvas);
  }
  pages.replaceChildren(...frames);
  pages.dataset.state = "ready";
  pages.dataset.pages = String(doc.numPages);
}

async function show(src, name) {
  title.textContent = name;
  openLink.href = src;
  openLink.hidden = false;
  pages.dataset.state = "loading";
  pages.dataset.src = src;
  say("…");
  try {
    const response = await fetch(src, { credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    const type = (response.headers.get("Content-Type") || "").split(";")[0];
    if (type.startsWith("image/")) {
      current = null;
      const img = Object.assign(document.createElement("img"), { src, alt: name, className: "viewer-page" });
      pages.replaceChildren(img);
      pages.dataset.state = "ready";
      pages.dataset.pages = "1";
      return;
    }
    const data = new Uint8Array(await response.arrayBuffer());
    const lib = await library();
    const doc = await lib.getDocument({
      data,
      isEvalSupported: false,
      standardFontDataUrl: new URL("standard_fonts/", new URL(viewer.dataset.library, location.href)).href,
      cMapUrl: new URL("cmaps/", new URL(viewer.dataset.library, location.href)).href,
    }).promise;
    current = { doc };
    await drawPages();
  } catch (err) {
    current = null;
    pages.dataset.state = "error";
    say(`${viewer.dataset.error} ${err && err.message ? err.message : err}`);
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".view-doc");
  if (button) {
    event.preventDefault();
    for (const other of document.querySelectorAll(".view-doc[aria-current]")) other.removeAttribute("aria-current");
    button.setAttribute("aria-current", "true");
    show(button.dataset.src, button.dataset.title);
    viewer.scrollIntoView({ behavior: "smooth", block: "start" });
    return;
  }
  const control = event.target.closest("[data-zoom]");
  if (control && current) {
    const step = Number(control.dataset.zoom);
    zoom = step === 0 ? 0 : Math.min(8, Math.max(-3, zoom + step));
    drawPages();
  }
});

if (viewer.dataset.initial) show(viewer.dataset.initial, viewer.dataset.initialTitle);
