// "Triển khai" asks first: a dialog shows what would be deployed (its problems, the elements
// added, removed and changed against the deployed version, the model tests' verdicts) and
// deploys exactly the bundle it showed, only when the analyst confirms.
import { normalizeProblems } from './problems';

function csrf() {
  return document.querySelector('meta[name=csrf-token]').content;
}

function item(className, ...children) {
  const li = document.createElement('li');
  if (className) li.className = className;
  children.forEach((c) => li.append(c instanceof Node ? c : document.createTextNode(c)));
  return li;
}

function strong(text) {
  const node = document.createElement('strong');
  node.textContent = text;
  return node;
}

export default class DeployDialog {
  constructor(editor) {
    this.editor = editor;
    this.t = editor.t;
    this.dialog = document.querySelector('#deploy-dialog');
    this.part = (selector) => this.dialog.querySelector(selector);
    this.confirm = this.part('#deploy-confirm');
    this.override = this.part('#override');
    this.confirm.addEventListener('click', (event) => {
      event.preventDefault();
      this.deploy();
    });
    if (this.override) this.override.addEventListener('input', () => this.decide());
  }

  async open() {
    this.files = null;
    this.verdict = null;
    ['#deploy-changes', '#deploy-tests', '#deploy-problems', '#deploy-blocked'].forEach((s) => {
      this.part(s).hidden = true;
    });
    if (this.override) {
      this.override.value = '';
      this.part('#override-field').hidden = true;
    }
    this.part('#deploy-loading').hidden = false;
    this.part('#deploy-comment').value = this.editor.root.querySelector('#comment').value;
    this.confirm.disabled = true;
    this.dialog.showModal();
    const files = JSON.parse(JSON.stringify(await this.editor.collect()));
    const response = await fetch(this.editor.config.urls.deploy_preview, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
      body: JSON.stringify({ files }),
    });
    const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    this.part('#deploy-loading').hidden = true;
    if (!response.ok) return this.block(data.error || `HTTP ${response.status}`);
    this.files = files;
    this.showChanges(data);
    const problems = normalizeProblems(data.problems);
    if (problems.length) {
      this.editor.showProblems(problems);
      this.showList('#deploy-problems', problems.map((p) => item(
        '', p.element_name || p.element_id ? strong(p.element_name || p.element_id) : '', ' ', p.message,
      )));
      this.verdict = 'problems';
      return this.block(this.t('deploy_blocked_problems', { n: problems.length }));
    }
    this.showTests(data.tests || []);
    return this.decide();
  }

  showList(selector, items) {
    const section = this.part(selector);
    section.querySelector('ul').replaceChildren(...items);
    section.hidden = false;
  }

  showChanges(data) {
    const base = this.part('#deploy-base');
    if (!data.base) {
      base.textContent = this.t('deploy_first');
      this.showList('#deploy-changes', []);
      return;
    }
    base.textContent = this.t('deploy_base', { n: data.base.id });
    const items = [];
    if (data.same_as) items.push(item('muted', this.t('deploy_same', { n: data.same_as })));
    const changes = data.changes || { added: [], removed: [], changed: [] };
    changes.added.forEach((c) => items.push(item('added', `${this.t('added')}: `, strong(c.name), ` (${c.id})`)));
    changes.removed.forEach((c) => items.push(item('removed', `${this.t('removed')}: `, strong(c.name), ` (${c.id})`)));
    changes.changed.forEach((c) => items.push(item(
      'changed',
      `${this.t('changed')}: `,
      strong(c.name),
      c.new_name !== c.name ? ' → ' : '',
      c.new_name !== c.name ? strong(c.new_name) : '',
      ` (${c.id}: ${c.attributes.join(', ')})`,
    )));
    if (data.changes && !items.length) items.push(item('muted', this.t('no_changes')));
    this.showList('#deploy-changes', items);
    this.part('#deploy-changes').dataset.count = changes.added.length + changes.removed.length + changes.changed.length;
  }

  showTests(tests) {
    const failed = tests.filter((r) => !r.passed);
    this.part('#deploy-tests-verdict').textContent = !tests.length
      ? this.t('tests_none')
      : failed.length
        ? this.t('tests_failed', { failed: failed.length, total: tests.length })
        : this.t('tests_passed', { n: tests.length });
    this.part('#deploy-tests-verdict').className = failed.length ? 'error-text' : 'ok-text';
    this.showList('#deploy-tests', failed.map((r) => item(
      'failed', strong(this.t('test_failed')), ` ${r.name} (${r.file}): ${r.failures.join('; ')}`,
    )));
    this.verdict = failed.length ? 'failed' : 'passed';
  }

  // Deployable when the tests pass, or when they fail and an administrator gives a reason.
  decide() {
    if (this.verdict === 'passed') {
      this.part('#deploy-blocked').hidden = true;
      this.confirm.disabled = false;
    } else if (this.verdict === 'failed' && this.override) {
      this.part('#override-field').hidden = false;
      const reason = this.override.value.trim();
      this.confirm.disabled = !reason;
      this.part('#deploy-blocked').hidden = Boolean(reason);
      this.part('#deploy-blocked').textContent = this.t('override_needed');
    } else if (this.verdict === 'failed') {
      this.block(this.t('deploy_blocked_tests'));
    }
  }

  block(message) {
    const blocked = this.part('#deploy-blocked');
    blocked.textContent = message;
    blocked.hidden = false;
    this.confirm.disabled = true;
  }

  async deploy() {
    if (!this.files || this.confirm.disabled) return;
    this.confirm.disabled = true;
    const comment = this.part('#deploy-comment').value;
    this.editor.root.querySelector('#comment').value = comment;
    const result = await this.editor.deploy(
      this.files, comment, this.override ? this.override.value : '',
    );
    if (result.error) {
      this.block(result.error);
      return;
    }
    this.dialog.close();
  }
}
