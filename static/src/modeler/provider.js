// The project's properties in the bpmn-js panel: lane → role, user task → form, service task
// → operator with typed parameters, script and condition code checked against the sandbox as
// typed, per-step deadline in working days, dossier status milestone. Never raw XML.
import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import {
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

const SPIFF = 'spiffworkflow';

// --- extension elements -------------------------------------------------------------------

function extensions(bo) {
  return (bo.extensionElements && bo.extensionElements.values) || [];
}

function findExtension(bo, type) {
  return extensions(bo).find((value) => value.$type === type);
}

function setExtension(element, bo, type, value, services) {
  // Replace (or remove, when value is null) the extension of `type`, as one undoable command.
  const { bpmnFactory, modeling } = services;
  const kept = extensions(bo).filter((v) => v.$type !== type);
  const values = value ? [...kept, value] : kept;
  const extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values });
  values.forEach((v) => {
    v.$parent = extensionElements;
  });
  modeling.updateModdleProperties(element, bo, { extensionElements });
}

function getProperty(bo, name) {
  const props = findExtension(bo, `${SPIFF}:Properties`);
  const found = props && (props.properties || []).find((p) => p.name === name);
  return found ? found.value : '';
}

function setProperty(element, bo, name, value, services) {
  const { moddle } = services;
  const current = findExtension(bo, `${SPIFF}:Properties`);
  const others = ((current && current.properties) || [])
    .filter((p) => p.name !== name)
    .map((p) => moddle.create(`${SPIFF}:Property`, { name: p.name, value: p.value }));
  if (value !== '' && value != null) {
    others.push(moddle.create(`${SPIFF}:Property`, { name, value: String(value) }));
  }
  const props = others.length
    ? moddle.create(`${SPIFF}:Properties`, { properties: others })
    : null;
  setExtension(element, bo, `${SPIFF}:Properties`, props, services);
}

function useServices() {
  return {
    bpmnFactory: useService('bpmnFactory'),
    modeling: useService('modeling'),
    moddle: useService('moddle'),
    t: useService('gqtthcTexts'),
    debounce: useService('debounceInput'),
    catalog: useService('gqtthcCatalog'),
  };
}

// --- code checked against the sandbox as it is typed --------------------------------------

function useCodeCheck(kind, source) {
  const [verdict, setVerdict] = useState('');
  const check = useService('gqtthcCatalog').checkCode;
  const t = useService('gqtthcTexts');
  useEffect(() => {
    let alive = true;
    const timer = setTimeout(() => {
      check(kind, source || '').then((problems) => {
        if (alive) setVerdict(problems.length ? `✗ ${problems.join('; ')}` : `✓ ${t('code_valid')}`);
      });
    }, 300);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [kind, source]);
  return verdict;
}

// --- entries ------------------------------------------------------------------------------

function LaneRole(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const roles = s.catalog.roles;
  const current = (bo.name || '').trim().toLowerCase();
  const match = roles.find(
    (r) => r.code === current || r.label.toLowerCase() === current,
  );
  return h(SelectEntry, {
    element,
    id,
    label: s.t('lane_role'),
    description: match ? '' : s.t('lane_without_role'),
    getValue: () => (match ? match.code : ''),
    setValue: (code) => {
      const role = roles.find((r) => r.code === code);
      s.modeling.updateProperties(element, { name: role ? role.label : '' });
    },
    getOptions: () => [
      { value: '', label: s.t('choose_role') },
      ...roles.map((r) => ({ value: r.code, label: r.shown || r.label })),
    ],
  });
}

function UserTaskForm(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const type = `${SPIFF}:FormJsonSchemaFilename`;
  const current = findExtension(bo, type);
  return h(SelectEntry, {
    element,
    id,
    label: s.t('form'),
    description: s.t('form_help'),
    getValue: () => (current ? current.value : ''),
    setValue: (file) => {
      const value = file ? s.moddle.create(type, { value: file }) : null;
      setExtension(element, bo, type, value, s);
    },
    getOptions: () => [
      { value: '', label: s.t('none_chosen') },
      ...s.catalog.formFiles().map((f) => ({ value: f, label: f })),
    ],
  });
}

function operatorOf(bo) {
  return findExtension(bo, `${SPIFF}:ServiceTaskOperator`);
}

function writeOperator(element, bo, name, resultVariable, values, s) {
  const spec = s.catalog.operators.find((op) => op.name === name);
  if (!spec) {
    setExtension(element, bo, `${SPIFF}:ServiceTaskOperator`, null, s);
    return;
  }
  const parameters = spec.params.map((p) =>
    s.moddle.create(`${SPIFF}:Parameter`, {
      id: p.name,
      type: p.type,
      value: values[p.name] || '',
    }),
  );
  const operator = s.moddle.create(`${SPIFF}:ServiceTaskOperator`, {
    id: name,
    resultVariable: resultVariable || '',
    parameterList: s.moddle.create(`${SPIFF}:Parameters`, { parameters }),
  });
  setExtension(element, bo, `${SPIFF}:ServiceTaskOperator`, operator, s);
}

function currentValues(operator) {
  const values = {};
  const list = operator && operator.parameterList && operator.parameterList.parameters;
  (list || []).forEach((p) => {
    values[p.id] = p.value;
  });
  return values;
}

function ServiceOperator(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const operator = operatorOf(bo);
  return h(SelectEntry, {
    element,
    id,
    label: s.t('operator'),
    getValue: () => (operator ? operator.id : ''),
    setValue: (name) =>
      writeOperator(
        element, bo, name, operator ? operator.resultVariable : '', currentValues(operator), s,
      ),
    getOptions: () => [
      { value: '', label: s.t('choose_operator') },
      ...s.catalog.operators.map((op) => ({
        value: op.name,
        label: `${op.name} — ${op.description}`,
      })),
    ],
  });
}

function ResultVariable(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const operator = operatorOf(bo);
  return h(TextFieldEntry, {
    element,
    id,
    label: s.t('result_variable'),
    debounce: s.debounce,
    getValue: () => (operator ? operator.resultVariable || '' : ''),
    setValue: (value) =>
      operator && writeOperator(element, bo, operator.id, value, currentValues(operator), s),
    validate: (value) =>
      value && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? s.t('bad_variable') : null,
  });
}

function ParameterEntry(props) {
  const { element, id, param } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const operator = operatorOf(bo);
  const value = currentValues(operator)[param.name] || '';
  const verdict = useCodeCheck('expression', value);
  return h(TextFieldEntry, {
    element,
    id,
    label: `${param.name} (${param.type})`,
    description: verdict,
    debounce: s.debounce,
    getValue: () => value,
    setValue: (text) => {
      const values = { ...currentValues(operator), [param.name]: text };
      writeOperator(element, bo, operator.id, operator.resultVariable, values, s);
    },
    validate: (text) => (text ? null : s.t('parameter_required')),
  });
}

function ScriptEntry(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const verdict = useCodeCheck('script', bo.script || '');
  return h(TextAreaEntry, {
    element,
    id,
    label: s.t('script'),
    description: verdict,
    debounce: s.debounce,
    rows: 6,
    monospace: true,
    getValue: () => bo.script || '',
    setValue: (value) =>
      s.modeling.updateProperties(element, { scriptFormat: 'python', script: value }),
  });
}

function ConditionEntry(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const body = bo.conditionExpression ? bo.conditionExpression.body || '' : '';
  const verdict = useCodeCheck('expression', body);
  return h(TextFieldEntry, {
    element,
    id,
    label: s.t('condition'),
    description: body ? verdict : s.t('condition_help'),
    debounce: s.debounce,
    getValue: () => body,
    setValue: (value) => {
      const expression = value
        ? s.bpmnFactory.create('bpmn:FormalExpression', { body: value })
        : undefined;
      s.modeling.updateProperties(element, { conditionExpression: expression });
    },
  });
}

function DeadlineEntry(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  return h(TextFieldEntry, {
    element,
    id,
    label: s.t('deadline'),
    description: s.t('deadline_help'),
    debounce: s.debounce,
    getValue: () => getProperty(bo, 'durationDays'),
    setValue: (value) => setProperty(element, bo, 'durationDays', value.trim(), s),
    validate: (value) =>
      value && !(Number(value) > 0 && Number(value) <= 365)
        ? s.t('bad_deadline')
        : null,
  });
}

function VisibilityEntry(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const codes = s.catalog.roles.map((r) => r.code);
  return h(TextFieldEntry, {
    element,
    id,
    label: s.t('visible_to'),
    description: `${s.t('visible_to_help')} (${codes.join(', ')})`,
    debounce: s.debounce,
    getValue: () => getProperty(bo, 'dataVisibleTo'),
    setValue: (value) => setProperty(element, bo, 'dataVisibleTo', value.replace(/\s+/g, ''), s),
    validate: (value) => {
      const unknown = (value || '').split(',').map((c) => c.trim()).filter((c) => c && !codes.includes(c));
      return unknown.length ? `${s.t('not_a_role')}: ${unknown.join(', ')}` : null;
    },
  });
}

function DecisionEntry(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  const type = `${SPIFF}:CalledDecisionId`;
  const current = findExtension(bo, type);
  return h(SelectEntry, {
    element,
    id,
    label: s.t('decision'),
    description: s.t('decision_help'),
    getValue: () => (current ? current.value : ''),
    setValue: (decision) => {
      const value = decision ? s.moddle.create(type, { value: decision }) : null;
      setExtension(element, bo, type, value, s);
    },
    getOptions: () => [
      { value: '', label: s.t('none_chosen') },
      ...s.catalog.decisions().map((d) => ({ value: d.id, label: `${d.name} (${d.file})` })),
    ],
  });
}

function StatusEntry(props) {
  const { element, id } = props;
  const s = useServices();
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element,
    id,
    label: s.t('status'),
    getValue: () => getProperty(bo, 'dossierStatus'),
    setValue: (value) => setProperty(element, bo, 'dossierStatus', value, s),
    getOptions: () => [
      { value: '', label: s.t('unchanged') },
      ...s.catalog.statuses.map((st) => ({ value: String(st.code), label: `${st.code}. ${st.label}` })),
    ],
  });
}

// --- the provider -------------------------------------------------------------------------

function entry(id, element, component, isEdited, extra) {
  return { id, element, component, isEdited, ...(extra || {}) };
}

function groupsFor(element, catalog, t) {
  const bo = getBusinessObject(element);
  const groups = [];
  if (is(element, 'bpmn:Lane')) {
    groups.push({
      id: 'gqtthc-role',
      label: t('group_role'),
      entries: [entry('gqtthc-lane-role', element, LaneRole, isSelectEntryEdited)],
    });
  }
  if (is(element, 'bpmn:UserTask')) {
    groups.push({
      id: 'gqtthc-form',
      label: t('group_form'),
      entries: [
        entry('gqtthc-form-file', element, UserTaskForm, isSelectEntryEdited),
        entry('gqtthc-duration', element, DeadlineEntry, isTextFieldEntryEdited),
        entry('gqtthc-visible-to', element, VisibilityEntry, isTextFieldEntryEdited),
      ],
    });
  }
  if (is(element, 'bpmn:ServiceTask')) {
    const operator = operatorOf(bo);
    const spec = operator && catalog.operators.find((op) => op.name === operator.id);
    const entries = [entry('gqtthc-operator', element, ServiceOperator, isSelectEntryEdited)];
    if (spec) {
      entries.push(entry('gqtthc-result', element, ResultVariable, isTextFieldEntryEdited));
      spec.params.forEach((param) =>
        entries.push(
          entry(`gqtthc-param-${param.name}`, element, ParameterEntry, isTextFieldEntryEdited, {
            param,
          }),
        ),
      );
    }
    groups.push({ id: 'gqtthc-service', label: t('group_service'), entries });
  }
  if (is(element, 'bpmn:BusinessRuleTask')) {
    groups.push({
      id: 'gqtthc-decision',
      label: t('group_rule'),
      entries: [entry('gqtthc-decision-id', element, DecisionEntry, isSelectEntryEdited)],
    });
  }
  if (is(element, 'bpmn:ScriptTask')) {
    groups.push({
      id: 'gqtthc-script',
      label: t('group_script'),
      entries: [entry('gqtthc-script-body', element, ScriptEntry, isTextAreaEntryEdited)],
    });
  }
  if (
    is(element, 'bpmn:SequenceFlow') &&
    bo.sourceRef &&
    (is(bo.sourceRef, 'bpmn:ExclusiveGateway') || is(bo.sourceRef, 'bpmn:InclusiveGateway'))
  ) {
    groups.push({
      id: 'gqtthc-condition',
      label: t('group_condition'),
      entries: [entry('gqtthc-condition-body', element, ConditionEntry, isTextFieldEntryEdited)],
    });
  }
  if (is(element, 'bpmn:FlowNode') && !is(element, 'bpmn:Gateway')) {
    groups.push({
      id: 'gqtthc-status',
      label: t('group_status'),
      entries: [entry('gqtthc-dossier-status', element, StatusEntry, isSelectEntryEdited)],
    });
  }
  return groups;
}

export default function GqtthcPropertiesProvider(propertiesPanel, gqtthcCatalog, gqtthcTexts) {
  this.getGroups = (element) => (groups) => {
    const ours = groupsFor(element, gqtthcCatalog, gqtthcTexts);
    // ours come right after "General"
    const general = groups.findIndex((g) => g.id === 'general');
    groups.splice(general + 1, 0, ...ours);
    return groups;
  };
  propertiesPanel.registerProvider(400, this);
}

GqtthcPropertiesProvider.$inject = ['propertiesPanel', 'gqtthcCatalog', 'gqtthcTexts'];
