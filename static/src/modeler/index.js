// The analyst's editor: BPMN (bpmn-js + properties panel), forms with live preview, model
// tests with the path drawn, DMN tables (dmn-js); save drafts, validate, test, deploy (after a
// confirmation showing the changes and the tests' verdicts). On a narrow screen (a phone) the
// diagram opens in a read-only viewer: checking and the model tests still work there.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import DmnModeler from 'dmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
} from 'bpmn-js-properties-panel';

import DeployDialog from './deploy-dialog';
import { normalizeProblems, problemsOf } from './problems';
import GqtthcPropertiesProvider from './provider';
import spiffworkflow from './spiffworkflow.json';
import { readTexts, textsFor } from './texts';
import translateFor from './translate-vi';

// below this width the editor is a read-only viewer (the palette, the panel and the context
// pad do not fit a phone; bpmn-js cannot even fit a diagram in a zero-width canvas)
const NARROW = '(max-width: 700px)';
const MARGIN = 16;

const xmlText = (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

// A new table, its labels in the page's language (they are the model's own names from then on).
const EMPTY_DMN = (id, t) => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="${id}_defs" name="${id}" namespace="http://gqtthc.local/dmn">
  <decision id="${id}" name="${xmlText(t('dmn_name'))}">
    <decisionTable id="${id}_table">
      <input id="${id}_in" label="${xmlText(t('dmn_input'))}"><inputExpression id="${id}_in_expr" typeRef="string"><text>channel</text></inputExpression></input>
      <output id="${id}_out" label="${xmlText(t('dmn_output'))}" name="department" typeRef="string" />
    </decisionTable>
  </decision>
</definitions>`;

function csrf() {
  return document.querySelector('meta[name=csrf-token]').content;
}

async function call(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (e) {
    data = { error: `HTTP ${response.status}` };
  }
  return { ok: response.ok, status: response.status, data };
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  });
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c)));
  return node;
}

class Editor {
  constructor(root, config, t) {
    this.root = root;
    this.config = config;
    this.t = t;
    this.processId = config.process_id;
    this.files = { ...config.files };
    this.revision = config.revision;
    this.versionId = config.version_id;
    this.mainFile = Object.keys(this.files).find(
      (name) => name.endsWith('.bpmn') && this.files[name].includes(`id="${this.processId}"`),
    ) || Object.keys(this.files).find((name) => name.endsWith('.bpmn'));
    this.marked = [];
    this.status = root.querySelector('#editor-status');
    const catalog = {
      ...config.catalog,
      formFiles: () => Object.keys(this.files).filter((f) => f.endsWith('.schema.json')).sort(),
      decisions: () => this.decisions(),
      checkCode: async (kind, source) => {
        const { ok, data } = await call(config.urls.check_code, { kind, source });
        return ok ? data.problems : [data.error || t('check_failed')];
      },
    };
    const translate = translateFor(document.documentElement.lang);
    this.readOnly = window.matchMedia(NARROW).matches;
    if (this.readOnly) {
      root.classList.add('read-only');
      root.querySelector('#read-only-note').hidden = false;
      this.bpmn = new NavigatedViewer({
        container: root.querySelector('#canvas'),
        additionalModules: [{ translate: ['value', translate] }],
        moddleExtensions: { spiffworkflow },
      });
      window.gqtthcEditor = this;
      return;
    }
    this.bpmn = new BpmnModeler({
      container: root.querySelector('#canvas'),
      propertiesPanel: { parent: root.querySelector('#properties') },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        {
          __init__: ['gqtthcPropertiesProvider'],
          gqtthcPropertiesProvider: ['type', GqtthcPropertiesProvider],
          gqtthcCatalog: ['value', catalog],
          gqtthcTexts: ['value', t],
          translate: ['value', translate],
        },
      ],
      moddleExtensions: { spiffworkflow },
    });
    window.gqtthcEditor = this;
  }

  decisions() {
    // the decisions of every DMN file in the bundle (the open table included, as edited)
    const found = [];
    Object.entries(this.files).filter(([name]) => name.endsWith('.dmn')).forEach(([name, xml]) => {
      const doc = new DOMParser().parseFromString(xml, 'application/xml');
      doc.querySelectorAll('decision').forEach((d) => {
        found.push({ id: d.getAttribute('id'), name: d.getAttribute('name') || d.getAttribute('id'), file: name });
      });
    });
    return found;
  }

  say(text, kind) {
    this.status.textContent = text;
    this.status.title = text;
    this.status.dataset.kind = kind || 'info';
  }

  async openBpmn(file) {
    if (this.mainFile && this.bpmnLoaded) {
      const { xml } = await this.bpmn.saveXML({ format: true });
      this.files[this.mainFile] = xml;
    }
    this.mainFile = file;
    await this.bpmn.importXML(this.files[file]);
    this.bpmnLoaded = true;
    this.fitDiagram();
    const select = this.root.querySelector('#bpmn-file');
    if (select) select.value = file;
  }

  // The whole diagram in view, right of the palette (never under it), never above 100 %.
  fitDiagram() {
    const canvas = this.bpmn.get('canvas');
    const container = this.root.querySelector('#canvas');
    const box = container.getBoundingClientRect();
    this.needsFit = box.width < 2 * MARGIN || box.height < 2 * MARGIN; // hidden: fit when shown
    if (this.needsFit) return;
    canvas.resized();
    const { inner } = canvas.viewbox();
    if (!inner || !(inner.width > 0) || !(inner.height > 0)) return;
    const palette = container.querySelector('.djs-palette');
    const left = (palette ? palette.getBoundingClientRect().right - box.left : 0) + MARGIN;
    const scale = Math.min(
      (box.width - left - MARGIN) / inner.width,
      (box.height - 2 * MARGIN) / inner.height,
      1,
    );
    if (!(scale > 0) || !Number.isFinite(scale)) return;
    canvas.viewbox({
      x: inner.x - left / scale,
      y: inner.y - MARGIN / scale,
      width: box.width / scale,
      height: box.height / scale,
    });
  }

  // Bring an element into view at a readable zoom, centred, selected and outlined.
  focus(element) {
    const canvas = this.bpmn.get('canvas');
    const root = canvas.findRoot(element);
    if (root && root !== canvas.getRootElement()) canvas.setRootElement(root);
    const box = this.root.querySelector('#canvas').getBoundingClientRect();
    if (!box.width || !box.height) return;
    const points = element.waypoints || [
      { x: element.x, y: element.y },
      { x: element.x + element.width, y: element.y + element.height },
    ];
    const xs = points.map((q) => q.x);
    const ys = points.map((q) => q.y);
    const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
    const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
    const scale = Math.max(canvas.zoom(), 1);
    canvas.viewbox({
      x: cx - box.width / 2 / scale,
      y: cy - box.height / 2 / scale,
      width: box.width / scale,
      height: box.height / scale,
    });
    if (this.focused) canvas.removeMarker(this.focused, 'focused');
    canvas.addMarker(element, 'focused');
    this.focused = element;
    const selection = this.bpmn.get('selection', false);
    if (selection) selection.select(element);
  }

  async start() {
    const select = this.root.querySelector('#bpmn-file');
    const bpmnFiles = Object.keys(this.files).filter((f) => f.endsWith('.bpmn')).sort();
    select.replaceChildren(...bpmnFiles.map((n) => el('option', { value: n }, n)));
    select.addEventListener('change', () => this.openBpmn(select.value));
    await this.openBpmn(this.mainFile);
    new ResizeObserver(() => {
      this.bpmn.get('canvas').resized();
      if (this.needsFit) this.fitDiagram();
    }).observe(this.root.querySelector('#canvas'));
    this.deployDialog = new DeployDialog(this);
    this.bpmn.on('commandStack.changed', () => {
      this.dirty = true;
      this.say(this.t('unsaved'), 'warn');
    });
    this.renderForms();
    this.renderTests();
    if (!this.readOnly) this.renderDmn();
    this.bindToolbar();
    this.bindTabs();
    document.body.dataset.editor = 'ready';
  }

  // --- bundle ---------------------------------------------------------------------------

  async collect() {
    const { xml } = await this.bpmn.saveXML({ format: true });
    this.files[this.mainFile] = xml;
    if (this.dmn && this.dmnFile) {
      const saved = await this.dmn.saveXML({ format: true });
      this.files[this.dmnFile] = saved.xml;
    }
    return this.files;
  }

  // --- problems --------------------------------------------------------------------------

  showProblems(raw) {
    const problems = normalizeProblems(raw);
    const list = this.root.querySelector('#problems');
    list.replaceChildren(...problems.map((p) => this.problemItem(p, false)));
    this.clearMarks();
    problems.forEach((p) => {
      const element = this.elementOf(p);
      if (element) {
        this.bpmn.get('canvas').addMarker(element, 'problem');
        this.marked.push([element, 'problem']);
      }
    });
    const card = this.root.querySelector('#problems-card');
    card.hidden = problems.length === 0;
    card.open = true;
    this.root.querySelector('#problems-count').textContent = problems.length;
    return problems;
  }

  // the shape a problem names, when it is in the diagram open now
  elementOf(p) {
    if (!p.element_id || (p.file && p.file.endsWith('.bpmn') && p.file !== this.mainFile)) return null;
    return this.bpmn.get('elementRegistry').get(p.element_id) || null;
  }

  // One problem: the element by its label (else its id), the message, where it is; a click
  // brings the element into view (opening its file first); knock-on problems folded under it.
  problemItem(p, nested) {
    const element = this.elementOf(p);
    const label = p.element_name || (element && element.businessObject && element.businessObject.name) || p.element_id;
    const where = [p.file, p.line ? this.t('line', { n: p.line }) : '', label !== p.element_id ? p.element_id : '']
      .filter(Boolean).join(' · ');
    const item = el(
      'li',
      nested ? { 'data-consequence': p.element_id } : { 'data-element': p.element_id },
      el('span', { class: 'what' }, label ? el('strong', {}, label) : '', label ? ' ' : '', p.message),
      where ? el('span', { class: 'where' }, where) : '',
    );
    const elsewhere = p.element_id && p.file && p.file !== this.mainFile && this.files[p.file] && p.file.endsWith('.bpmn');
    if (element || elsewhere) {
      item.classList.add('locatable');
      item.addEventListener('click', async (event) => {
        event.stopPropagation();
        this.showTab('diagram');
        if (elsewhere) await this.openBpmn(p.file);
        const target = this.bpmn.get('elementRegistry').get(p.element_id);
        if (target) this.focus(target);
      });
    }
    if (p.consequences.length) {
      const folded = el(
        'details',
        { class: 'consequences' },
        el('summary', {}, this.t('consequences', { n: p.consequences.length })),
        el('ul', {}, p.consequences.map((c) => this.problemItem(c, true))),
      );
      folded.addEventListener('click', (event) => event.stopPropagation());
      item.append(folded);
    }
    return item;
  }

  clearMarks() {
    const canvas = this.bpmn.get('canvas');
    this.marked.forEach(([element, marker]) => canvas.removeMarker(element, marker));
    this.marked = [];
  }

  drawPath(path) {
    this.clearMarks();
    const canvas = this.bpmn.get('canvas');
    const registry = this.bpmn.get('elementRegistry');
    const seen = new Set(path);
    // the flows between consecutive steps of the path too
    registry.filter((e) => e.type === 'bpmn:SequenceFlow').forEach((flow) => {
      const bo = flow.businessObject;
      if (seen.has(bo.sourceRef.id) && seen.has(bo.targetRef.id)) seen.add(flow.id);
    });
    seen.forEach((id) => {
      const element = registry.get(id);
      if (element) {
        canvas.addMarker(element, 'done');
        this.marked.push([element, 'done']);
      }
    });
  }

  // --- actions ---------------------------------------------------------------------------

  async validate() {
    const files = await this.collect();
    const { ok, data } = await call(this.config.urls.validate, { files });
    if (!ok) return this.say(data.error, 'error');
    const problems = this.showProblems(data.problems);
    this.say(
      problems.length ? this.t('problems', { n: problems.length }) : this.t('valid'),
      problems.length ? 'error' : 'ok',
    );
    return problems;
  }

  async save() {
    const files = await this.collect();
    const comment = this.root.querySelector('#comment').value;
    const { ok, data } = await call(this.config.urls.save, {
      files, comment, base_version_id: this.versionId,
    });
    if (!ok) return this.say(data.error, 'error');
    this.revision = data.revision;
    this.dirty = false;
    const problems = this.showProblems(data.problems);
    this.say(
      problems.length
        ? this.t('saved_with_problems', { n: data.revision, problems: problems.length })
        : this.t('saved', { n: data.revision }),
      problems.length ? 'warn' : 'ok',
    );
    return data.revision;
  }

  async runTests() {
    const files = await this.collect();
    const { ok, data } = await call(this.config.urls.tests, { files });
    const out = this.root.querySelector('#test-results');
    out.replaceChildren();
    if (!ok) {
      this.showProblems(problemsOf(data));
      return this.say(data.error, 'error');
    }
    data.results.forEach((r) => {
      const row = el(
        'li',
        { class: r.passed ? 'passed' : 'failed', 'data-file': r.file },
        el('strong', {}, this.t(r.passed ? 'test_passed' : 'test_failed')), ' ', r.name,
        r.failures.length ? el('ul', {}, r.failures.map((f) => el('li', {}, f))) : '',
      );
      row.addEventListener('click', () => {
        this.showTab('diagram');
        this.drawPath(r.path);
      });
      out.append(row);
    });
    const failed = data.results.filter((r) => !r.passed).length;
    this.say(
      failed
        ? this.t('tests_failed', { failed, total: data.results.length })
        : this.t('tests_passed', { n: data.results.length }),
      failed ? 'error' : 'ok',
    );
    if (data.results.length) this.drawPath(data.results[0].path);
    return data.results;
  }

  // Deploy exactly `files` (those the confirmation showed); the problems if it is refused.
  async deploy(files, comment, overrideReason) {
    const { ok, data } = await call(this.config.urls.deploy, {
      files,
      comment,
      revision: this.dirty ? null : this.revision,
      override_reason: overrideReason,
    });
    if (!ok) {
      this.showProblems(problemsOf(data));
      this.say(data.error, 'error');
      return { error: data.error };
    }
    this.versionId = data.version_id;
    this.say(this.t('deployed', { n: data.version_id }), 'ok');
    return { versionId: data.version_id };
  }

  bindToolbar() {
    const on = (id, fn) => this.root.querySelector(id).addEventListener('click', (e) => {
      e.preventDefault();
      fn.call(this);
    });
    on('#btn-validate', this.validate);
    on('#btn-save', this.save);
    on('#btn-tests', async () => {
      this.showTab('tests');
      await this.runTests();
    });
    on('#btn-deploy', () => this.deployDialog.open());
    window.addEventListener('beforeunload', (e) => {
      if (this.dirty) e.preventDefault();
    });
  }

  bindTabs() {
    this.root.querySelectorAll('[data-tab]').forEach((button) =>
      button.addEventListener('click', () => this.showTab(button.dataset.tab)),
    );
  }

  showTab(name) {
    this.root.querySelectorAll('[data-panel]').forEach((panel) => {
      panel.hidden = panel.dataset.panel !== name;
    });
    this.root.querySelectorAll('[data-tab]').forEach((b) => {
      b.classList.toggle('active', b.dataset.tab === name);
    });
    if (name === 'diagram' && this.needsFit) this.fitDiagram();
    if (name === 'dmn' && this.dmn) {
      const viewer = this.dmn.getActiveViewer();
      if (viewer && viewer.get('canvas', false)) viewer.get('canvas').zoom('fit-viewport');
    }
  }

  // --- forms -----------------------------------------------------------------------------

  renderForms() {
    const select = this.root.querySelector('#form-file');
    const text = this.root.querySelector('#form-text');
    const preview = this.root.querySelector('#form-preview');
    const names = () => Object.keys(this.files).filter((f) => f.endsWith('.schema.json')).sort();
    const fill = (chosen) => {
      select.replaceChildren(...names().map((n) => el('option', { value: n }, n)));
      if (chosen) select.value = chosen;
      text.value = this.files[select.value] || '';
      refresh();
    };
    let timer;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const response = await fetch(this.config.urls.form_preview, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
          body: JSON.stringify({ schema: text.value }),
        });
        if (response.ok) {
          preview.innerHTML = await response.text();
          preview.dataset.state = 'ok';
        } else {
          const data = await response.json().catch(() => ({}));
          preview.replaceChildren(el('p', { class: 'error', role: 'alert' }, data.error || this.t('preview_error')));
          preview.dataset.state = 'error';
        }
      }, 250);
    };
    select.addEventListener('change', () => fill(select.value));
    text.addEventListener('input', () => {
      this.files[select.value] = text.value;
      this.dirty = true;
      refresh();
    });
    this.root.querySelector('#form-new').addEventListener('click', (e) => {
      e.preventDefault();
      const name = window.prompt(this.t('prompt_form'));
      if (!name || !/^[a-z0-9_-]+$/.test(name)) return;
      const file = `forms/${name}.schema.json`;
      this.files[file] = JSON.stringify(
        { title: name, type: 'object', required: [], properties: {} }, null, 2,
      );
      fill(file);
    });
    this.newForm = (file, schema) => {
      this.files[file] = JSON.stringify(schema, null, 2);
      fill(file);
    };
    fill();
  }

  // --- tests -----------------------------------------------------------------------------

  renderTests() {
    const select = this.root.querySelector('#test-file');
    const text = this.root.querySelector('#test-text');
    const names = Object.keys(this.files).filter((f) => f.endsWith('.test.json')).sort();
    select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    const fill = () => {
      text.value = this.files[select.value] || '';
    };
    select.addEventListener('change', fill);
    text.addEventListener('input', () => {
      this.files[select.value] = text.value;
      this.dirty = true;
    });
    fill();
  }

  // --- DMN -------------------------------------------------------------------------------

  async renderDmn() {
    const container = this.root.querySelector('#dmn-canvas');
    const select = this.root.querySelector('#dmn-file');
    const names = () => Object.keys(this.files).filter((f) => f.endsWith('.dmn')).sort();
    // keys reach the table when it has focus (diagram-js binds the keyboard implicitly now)
    this.dmn = new DmnModeler({ container });
    const open = async (file) => {
      if (this.dmn && this.dmnFile && this.files[this.dmnFile]) await this.collect();
      this.dmnFile = file;
      select.replaceChildren(...names().map((n) => el('option', { value: n }, n)));
      select.value = file || '';
      if (file) await this.dmn.importXML(this.files[file]);
    };
    select.addEventListener('change', () => open(select.value));
    this.root.querySelector('#dmn-new').addEventListener('click', async (e) => {
      e.preventDefault();
      const name = window.prompt(this.t('prompt_dmn'));
      if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) return;
      this.files[`${name}.dmn`] = EMPTY_DMN(name, this.t);
      this.dirty = true;
      await open(`${name}.dmn`);
    });
    if (names().length) await open(names()[0]);
  }
}

window.addEventListener('DOMContentLoaded', () => {
  const root = document.querySelector('#editor');
  if (!root) return;
  const config = JSON.parse(document.querySelector('#editor-config').textContent);
  const t = textsFor(readTexts(document));
  new Editor(root, config, t).start().catch((error) => {
    document.querySelector('#editor-status').textContent = t('open_failed', { error: error.message });
    document.body.dataset.editor = 'failed';
  });
});
