// Draws BPMN diagrams with zoom, fit and full-screen controls (bpmn-js's NavigatedViewer).
// Every <figure data-diagram="ID"> (templates/_diagram.html) takes its model and options from
// the JSON script #ID: {"xml", "marks": {element: css class}, "focus": [element ids],
// "counts": {element: {open, due_soon, overdue, steps}}, "step_url"}. A diagram opens at "fit"
// unless its labels would then be smaller than READABLE_PX: it then opens at the readable zoom,
// centred on the focus steps, and the user pans. With "step_url", a click (or Enter) on a human
// step opens that URL with ?step=<element id>. Figures sharing data-sync zoom and pan together.
(function () {
  "use strict";
  const READABLE_PX = 10;
  const MIN_HEIGHT = 360;
  const MAX_HEIGHT_VH = 0.7;
  const PAD = 24;
  const STEP = 1.25;
  const MIN_ZOOM = 0.1;
  const MAX_ZOOM = 4;
  const PAN = 60;
  const HUMAN_STEPS = new Set(["bpmn:UserTask", "bpmn:ManualTask"]);

  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k] ?? ""));
  const clampZoom = (z) => Math.min(Math.max(z, MIN_ZOOM), MAX_ZOOM);
  // v within [lo, hi]; the middle when the range is empty (the model is smaller than the view)
  const clamp = (v, lo, hi) => (hi < lo ? (lo + hi) / 2 : Math.min(Math.max(v, lo), hi));

  function readableZoom(host) {
    let smallest = Infinity;
    host.querySelectorAll(".djs-element text").forEach((text) => {
      if (!text.textContent.trim()) return;
      const size = parseFloat(getComputedStyle(text).fontSize);
      if (size > 0 && size < smallest) smallest = size;
    });
    return READABLE_PX / (Number.isFinite(smallest) ? smallest : 12);
  }

  function union(shapes) {
    const boxes = shapes.filter((s) => s && s.width !== undefined);
    if (!boxes.length) return null;
    const x = Math.min(...boxes.map((b) => b.x));
    const y = Math.min(...boxes.map((b) => b.y));
    return {
      x, y,
      width: Math.max(...boxes.map((b) => b.x + b.width)) - x,
      height: Math.max(...boxes.map((b) => b.y + b.height)) - y,
    };
  }

  class Diagram {
    constructor(figure) {
      this.figure = figure;
      this.texts = figure.dataset;
      this.spec = JSON.parse(document.getElementById(figure.dataset.diagram).textContent);
      this.host = figure.querySelector(".diagram-canvas");
      this.tip = figure.querySelector(".diagram-tooltip");
      this.fullButton = figure.querySelector('[data-action="full"]');
      this.viewer = new BpmnJS({ container: this.host });
    }

    async draw() {
      await this.viewer.importXML(this.spec.xml);
      this.canvas = this.viewer.get("canvas");
      this.registry = this.viewer.get("elementRegistry");
      for (const [id, marker] of Object.entries(this.spec.marks || {})) {
        if (this.registry.get(id)) this.canvas.addMarker(id, marker);
      }
      this.readable = readableZoom(this.host);
      this.addCounts();
      this.addStepLinks();
      this.bindControls();
      this.size();
      this.home();
      this.figure.dataset.ready = "true";
    }

    // Height follows the model's aspect ratio at the zoom it will open at, within bounds.
    size() {
      const inner = this.canvas.viewbox().inner;
      const fitWidth = (this.host.clientWidth - 2 * PAD) / inner.width;
      const zoom = Math.min(Math.max(fitWidth, this.readable), Math.max(1, this.readable));
      const max = window.innerHeight * MAX_HEIGHT_VH;
      const height = Math.min(Math.max(inner.height * zoom + 2 * PAD, MIN_HEIGHT), max);
      this.host.style.height = `${Math.round(Math.max(height, Math.min(MIN_HEIGHT, max)))}px`;
      this.canvas.resized();
    }

    // "Fit" when the labels stay readable; otherwise the readable zoom around the focus steps.
    home() {
      const { inner, outer } = this.canvas.viewbox();
      const fit = Math.min(
        (outer.width - 2 * PAD) / inner.width,
        (outer.height - 2 * PAD) / inner.height,
        1,
      );
      if (fit >= this.readable) {
        this.canvas.zoom("fit-viewport", "auto");
        return;
      }
      const zoom = this.readable;
      const width = outer.width / zoom;
      const height = outer.height / zoom;
      const pad = PAD / zoom;
      const ids = this.spec.focus || Object.keys(this.spec.marks || {});
      const focus = union(ids.map((id) => this.registry.get(id)));
      const cx = focus ? focus.x + focus.width / 2 : inner.x - pad + width / 2;
      const cy = focus ? focus.y + focus.height / 2 : inner.y + inner.height / 2;
      this.canvas.viewbox({
        x: clamp(cx - width / 2, inner.x - pad, inner.x + inner.width + pad - width),
        y: clamp(cy - height / 2, inner.y - pad, inner.y + inner.height + pad - height),
        width,
        height,
      });
    }

    fit() {
      this.canvas.zoom("fit-viewport", "auto");
    }

    zoomBy(factor, center) {
      this.canvas.zoom(clampZoom(this.canvas.zoom() * factor), center);
    }

    isFull() {
      return document.fullscreenElement === this.figure || this.figure.classList.contains("expanded");
    }

    toggleFull() {
      if (this.isFull()) {
        if (document.fullscreenElement === this.figure) document.exitFullscreen();
        else this.expand(false);
      } else if (this.figure.requestFullscreen && document.fullscreenEnabled) {
        this.figure.requestFullscreen().catch(() => this.expand(true));
      } else {
        this.expand(true);
      }
    }

    // The fallback where the Fullscreen API is missing or refused: the figure covers the window.
    expand(on) {
      this.figure.classList.toggle("expanded", on);
      document.documentElement.classList.toggle("diagram-expanded", on);
      this.fullChanged();
    }

    fullChanged() {
      const full = this.isFull();
      const label = full ? this.texts.textExitFull : this.texts.textFull;
      this.fullButton.setAttribute("aria-pressed", String(full));
      this.fullButton.setAttribute("aria-label", label);
      this.fullButton.title = label;
      this.figure.dataset.full = String(full);
      if (full) {
        this.host.style.height = "";
        this.canvas.resized();
      } else {
        this.size();
      }
      this.home();
    }

    bindControls() {
      const actions = {
        "zoom-in": () => this.zoomBy(STEP),
        "zoom-out": () => this.zoomBy(1 / STEP),
        fit: () => this.fit(),
        full: () => this.toggleFull(),
      };
      this.figure.querySelectorAll(".diagram-tools [data-action]").forEach((button) => {
        button.addEventListener("click", () => actions[button.dataset.action]());
      });
      let fullscreen = false;  // only the figure entering or leaving full screen redraws
      document.addEventListener("fullscreenchange", () => {
        if ((document.fullscreenElement === this.figure) === fullscreen) return;
        fullscreen = !fullscreen;
        this.fullChanged();
      });
      this.figure.addEventListener("keydown", (e) => this.onKey(e));
      // The page keeps scrolling over a diagram the user has not engaged with: only once it
      // holds focus (or with Ctrl, or a trackpad pinch) does the wheel pan or zoom it.
      this.figure.addEventListener(
        "wheel",
        (e) => {
          if (e.ctrlKey || e.metaKey || this.isFull()) return;
          if (!this.figure.contains(document.activeElement)) e.stopPropagation();
        },
        { capture: true },
      );
      this.bindTouch();
      let width = this.host.clientWidth;
      window.addEventListener("resize", () => {
        if (this.isFull() || this.host.clientWidth === width) return;
        width = this.host.clientWidth;
        this.size();
      });
    }

    onKey(e) {
      if (e.key === "Escape" && this.figure.classList.contains("expanded")) {
        this.expand(false);
        e.preventDefault();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest("button")) return;
      const moves = { ArrowLeft: [PAN, 0], ArrowRight: [-PAN, 0], ArrowUp: [0, PAN], ArrowDown: [0, -PAN] };
      if (e.key === "+" || e.key === "=") this.zoomBy(STEP);
      else if (e.key === "-" || e.key === "_") this.zoomBy(1 / STEP);
      else if (e.key === "0") this.fit();
      else if (moves[e.key]) this.canvas.scroll({ dx: moves[e.key][0], dy: moves[e.key][1] });
      else return;
      e.preventDefault();
    }

    // One finger pans sideways (the page keeps vertical scrolling: touch-action pan-y); two
    // fingers pinch-zoom around their midpoint.
    bindTouch() {
      const touches = new Map();
      const host = this.host;
      host.addEventListener("pointerdown", (e) => {
        if (e.pointerType === "touch") touches.set(e.pointerId, [e.clientX, e.clientY]);
      });
      host.addEventListener("pointermove", (e) => {
        const before = touches.get(e.pointerId);
        if (!before) return;
        const now = [e.clientX, e.clientY];
        if (touches.size === 1) {
          this.canvas.scroll({ dx: now[0] - before[0], dy: 0 });
        } else if (touches.size === 2) {
          const other = [...touches].find(([id]) => id !== e.pointerId)[1];
          const apart = Math.hypot(before[0] - other[0], before[1] - other[1]);
          const rect = host.getBoundingClientRect();
          const mid = { x: (now[0] + other[0]) / 2 - rect.left, y: (now[1] + other[1]) / 2 - rect.top };
          if (apart > 0) this.zoomBy(Math.hypot(now[0] - other[0], now[1] - other[1]) / apart, mid);
        }
        touches.set(e.pointerId, now);
      });
      for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
        host.addEventListener(type, (e) => touches.delete(e.pointerId));
      }
    }

    countText(c) {
      return [
        fill(this.texts.textOpen, { count: c.open }),
        fill(this.texts.textDueSoon, { count: c.due_soon }),
        fill(this.texts.textOverdue, { count: c.overdue }),
      ].join(", ");
    }

    addCounts() {
      const overlays = this.viewer.get("overlays");
      for (const [id, c] of Object.entries(this.spec.counts || {})) {
        if (!this.registry.get(id)) continue;
        const badge = document.createElement("div");
        badge.className = "step-count" + (c.overdue ? " overdue" : c.due_soon ? " due-soon" : "");
        badge.dataset.element = id;
        badge.textContent = c.overdue
          ? `${c.open} · ${fill(this.texts.textOverdue, { count: c.overdue })}`
          : String(c.open);
        // never drawn smaller than its own size, however far the user zooms out
        overlays.add(id, { position: { bottom: 12, right: 12 }, html: badge, scale: { min: 1 } });
      }
    }

    addStepLinks() {
      if (!this.spec.step_url) return;
      const counts = this.spec.counts || {};
      this.links = new Set();
      for (const element of this.registry.getAll()) {
        if (!HUMAN_STEPS.has(element.type) && !counts[element.id]) continue;
        if (element.type === "label" || element.waypoints) continue;
        this.links.add(element.id);
        const gfx = this.registry.getGraphics(element);
        const name = element.businessObject.name || element.id;
        const c = counts[element.id] || { open: 0, due_soon: 0, overdue: 0 };
        gfx.classList.add("step-link");
        gfx.setAttribute("tabindex", "0");
        gfx.setAttribute("role", "link");
        gfx.setAttribute("aria-label", `${fill(this.texts.textStepLink, { step: name })} (${this.countText(c)})`);
        gfx.addEventListener("keydown", (e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            this.open(element);
          }
        });
        gfx.addEventListener("focus", () => {
          this.reveal(element);
          this.showTip(element);
        });
        gfx.addEventListener("blur", () => this.hideTip());
      }
      const events = this.viewer.get("eventBus");
      let down = null;
      this.host.addEventListener("pointerdown", (e) => (down = [e.clientX, e.clientY]));
      events.on("element.click", (e) => {
        const o = e.originalEvent;
        const dragged = down && o && Math.hypot(o.clientX - down[0], o.clientY - down[1]) > 4;
        if (this.links.has(e.element.id) && !dragged) this.open(e.element);
      });
      events.on("element.hover", (e) => this.links.has(e.element.id) && this.showTip(e.element));
      events.on("element.out", () => this.hideTip());
    }

    open(element) {
      const url = new URL(this.spec.step_url, window.location.href);
      // a call activity stands for the steps of its sub-process: one is a step filter, several
      // the procedure's whole list
      const steps = ((this.spec.counts || {})[element.id] || {}).steps || [element.id];
      if (steps.length === 1) url.searchParams.set("step", steps[0]);
      window.location.assign(url.toString());
    }

    reveal(element) {
      const box = this.registry.getGraphics(element).getBoundingClientRect();
      const view = this.host.getBoundingClientRect();
      const inside = box.left >= view.left && box.right <= view.right
        && box.top >= view.top && box.bottom <= view.bottom;
      if (!inside) this.canvas.scrollToElement(element, PAD);
    }

    showTip(element) {
      const c = (this.spec.counts || {})[element.id] || { open: 0, due_soon: 0, overdue: 0 };
      this.tip.replaceChildren();
      const name = document.createElement("strong");
      name.textContent = element.businessObject.name || element.id;
      this.tip.append(name, document.createElement("br"), this.countText(c));
      this.tip.hidden = false;
      const box = this.registry.getGraphics(element).getBoundingClientRect();
      const frame = this.figure.getBoundingClientRect();
      const left = Math.min(box.left - frame.left, frame.width - this.tip.offsetWidth - 4);
      this.tip.style.left = `${Math.max(4, left)}px`;
      this.tip.style.top = `${box.bottom - frame.top + 6}px`;
    }

    hideTip() {
      this.tip.hidden = true;
    }
  }

  // Diagrams of one data-sync group (a version and the next) zoom and pan as one.
  function synchronise(diagrams) {
    const groups = {};
    for (const d of diagrams) {
      if (d.figure.dataset.sync) (groups[d.figure.dataset.sync] ||= []).push(d);
    }
    for (const group of Object.values(groups)) {
      if (group.length < 2) continue;
      const tallest = Math.max(...group.map((d) => d.host.clientHeight));
      let applying = false;
      const follow = (leader) => {
        const box = leader.canvas.viewbox();
        applying = true;
        for (const d of group) {
          if (d === leader) continue;
          const outer = d.canvas.viewbox().outer;
          d.canvas.viewbox({ x: box.x, y: box.y, width: outer.width / box.scale, height: outer.height / box.scale });
        }
        applying = false;
      };
      for (const d of group) {
        d.host.style.height = `${tallest}px`;
        d.canvas.resized();
        d.viewer.get("eventBus").on("canvas.viewbox.changing", () => {
          if (!applying) requestAnimationFrame(() => follow(d));
        });
      }
      group[0].home();
      follow(group[0]);
    }
  }

  const diagrams = [...document.querySelectorAll("figure[data-diagram]")].map((f) => new Diagram(f));
  Promise.allSettled(
    diagrams.map((d) =>
      d.draw().catch((err) => {
        d.host.textContent = `${d.texts.textError} ${err.message}`;
        throw err;
      }),
    ),
  ).then((results) => {
    synchronise(diagrams.filter((d, i) => results[i].status === "fulfilled"));
    document.body.dataset.diagrams = "ready";
  });
})();
