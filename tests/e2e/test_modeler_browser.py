"""In a real headless Chromium: an analyst changes the path in the editor, sees a located
error, fixes it, runs the model tests, deploys, and a new dossier follows the change."""

from __future__ import annotations

import json

import pytest

from app.services.process_models.deploy import read_bundle
from config import ROOT
from tests.services.helpers import complete, deliver, open_task, receive
from tests.web.test_one_language import vietnamese_bits

pytestmark = [pytest.mark.browser]

FORM = {
    "title": "Xác minh thông tin",
    "type": "object",
    "required": ["verified"],
    "properties": {
        "verified": {"type": "boolean", "const": True, "title": "Đã xác minh với cơ quan cấp"},
        "verify_note": {"type": "string", "title": "Ghi chú xác minh"},
    },
}

INSERT_TASK = """() => {
  const m = window.gqtthcEditor.bpmn;
  const registry = m.get('elementRegistry');
  const modeling = m.get('modeling');
  const flow = registry.get('Flow_milestone_processing_appraisal');
  const appraisal = registry.get('appraisal');
  const lane = registry.get('Lane_processing');
  const shape = m.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
  const position = { x: appraisal.x + 50, y: lane.y + lane.height - 45 };
  const task = modeling.createShape(shape, position, registry.get('Participant_counter'));
  modeling.updateProperties(task, { id: 'verify', name: 'Xác minh thông tin' });
  modeling.reconnectEnd(flow, task, { x: task.x, y: task.y + task.height / 2 });
  modeling.connect(task, appraisal);
  return task.businessObject.lanes ? task.businessObject.lanes.map((l) => l.id) : [];
}"""


def with_verify_step(name: str) -> str:
    """The bundle's test case with the new step answered each time the dossier comes into
    processing (before every appraisal that does not directly follow a consultation), and
    in the exact path expected."""
    case = json.loads(read_bundle(ROOT / "bpmn")[name])
    steps = []
    for step in case["steps"]:
        after_consult = bool(steps) and steps[-1].get("task") == "consult"
        if step.get("task") == "appraisal" and not after_consult:
            steps.append({"task": "verify", "data": {"verified": True}})
        steps.append(step)
    case["steps"] = steps
    # the new step lies on the flow from the processing milestone into the appraisal
    path = case.get("expect", {}).get("path", [])
    for index in reversed(range(1, len(path))):
        if path[index] == "appraisal" and path[index - 1] == "milestone_processing":
            path.insert(index, "verify")
    if case.get("expect", {}).get("waiting") == ["appraisal"]:
        case["expect"]["waiting"] = ["verify"]
    return json.dumps(case, ensure_ascii=False, indent=2)


def test_analyst_adds_a_step_with_a_form_tests_deploys_and_new_dossiers_follow(
    browser_page, actors, tmp_path
):
    page = browser_page("phantich")
    page.goto("/models")
    page.click("[data-edit=counter_dossier]")
    page.wait_for_selector("body[data-editor=ready]")
    assert "Gọi dịch vụ" not in page.locator("#properties").inner_text()

    # a new user task in the processing lane, on the flow into the appraisal
    page.evaluate(INSERT_TASK)
    page.click("#btn-validate")
    problem = page.locator('#problems li[data-element="verify"]')
    problem.wait_for()
    assert "chưa có biểu mẫu" in problem.inner_text()
    assert page.locator('.djs-element.problem[data-element-id="verify"]').count() == 1

    # fix it: write a form (with its live preview), then pick it in the properties panel
    page.click("[data-tab=forms]")
    page.once("dialog", lambda dialog: dialog.accept("xac_minh"))
    page.click("#form-new")
    page.fill("#form-text", json.dumps(FORM, ensure_ascii=False, indent=2))
    page.locator("#form-preview", has_text="Đã xác minh với cơ quan cấp").wait_for()
    page.click("[data-tab=diagram]")
    problem.click()  # selects the element named by the problem
    page.locator(".bio-properties-panel-group-header", has_text="Biểu mẫu và thời hạn").click()
    page.select_option("#bio-properties-panel-gqtthc-form-file", "forms/xac_minh.schema.json")
    page.fill("#bio-properties-panel-gqtthc-duration", "1")
    page.click("#btn-validate")
    page.locator("#editor-status", has_text="Mô hình hợp lệ").wait_for()

    # the model tests now fail where the new step waits; the analyst updates them
    page.click("#btn-tests")
    page.locator("#test-results li.failed").first.wait_for()
    assert (
        "«appraisal» không đang chờ; đang chờ: ['verify']"
        in page.locator("#test-results").inner_text()
    )
    bundle = read_bundle(ROOT / "bpmn")
    for name in sorted(n for n in bundle if n.endswith(".test.json")):
        if '"task": "reception"' in bundle[name].replace("\n", " "):
            page.select_option("#test-file", name)
            page.fill("#test-text", with_verify_step(name))
    page.click("#btn-tests")
    page.locator("#editor-status", has_text="kiểm thử đạt").wait_for()
    assert page.locator("#test-results li.failed").count() == 0
    assert page.locator('.djs-element.done[data-element-id="verify"]').count() == 1
    page.screenshot(path=str(tmp_path / "tested.png"), full_page=True)

    page.fill("#comment", "Thêm bước xác minh thông tin")
    page.click("#btn-save")
    page.locator("#editor-status", has_text="Đã lưu bản nháp số 1").wait_for()
    page.click("#btn-deploy")
    page.locator("#deploy-confirm:enabled").click()  # after the changes and tests are shown
    page.locator("#editor-status", has_text="Đã triển khai phiên bản").wait_for()
    version = page.locator("#editor-status").inner_text().rsplit(" ", 1)[-1]

    # the procedure is pointed at the new version; a new dossier takes the new step
    page.goto("/models")
    form = page.locator("form", has_text="2.000488")
    form.locator("select[name=version_id]").select_option(version)
    form.get_by_role("button", name="Áp dụng").click()
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(
        code,
        "reception",
        actors["tiepnhan"],
        {"components_checked": True, "original_count": 1, "copy_count": 0},
    )
    task = open_task(code, "verify")
    assert task is not None and task.role == "processing"
    assert task.title == "Xác minh thông tin"
    assert task.form["title"] == "Xác minh thông tin"
    page.goto("/models/counter_dossier/edit")
    page.wait_for_selector("body[data-editor=ready]")
    page.click("[data-tab=drafts]")
    assert page.locator("#drafts tbody tr").first.inner_text().split("\t")[-1].strip() == version


def _meaning(xml: str) -> dict:
    """What the engine reads from a model: elements by id and type, flows, extensions."""
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(remove_blank_text=True))
    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    process = root.find(f"{bpmn}process")
    meaning = {}
    for el in process.iter():
        if not isinstance(el.tag, str) or not el.get("id") or el.tag.startswith(f"{bpmn}lane"):
            continue
        ext = el.find(f"{bpmn}extensionElements")
        meaning[el.get("id")] = (
            etree.QName(el).localname,
            el.get("name"),
            el.get("sourceRef"),
            el.get("targetRef"),
            etree.tostring(ext, method="c14n") if ext is not None else b"",
            (el.findtext(f"{bpmn}conditionExpression") or "").strip(),
        )
    return meaning


def test_every_model_survives_a_round_trip_through_the_editor(browser_page):
    files = read_bundle(ROOT / "bpmn")
    page = browser_page("phantich")
    page.goto("/models/counter_dossier/edit")
    page.wait_for_selector("body[data-editor=ready]")
    # every BPMN file of the bundle goes through the modeler (the called processes too)
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        page.select_option("#bpmn-file", name)
        page.wait_for_function(f"() => window.gqtthcEditor.mainFile === {json.dumps(name)}")
    exported = page.evaluate("async () => await window.gqtthcEditor.collect()")
    for name in (n for n in files if n.endswith(".bpmn")):
        before, after = _meaning(files[name]), _meaning(exported[name])
        assert before == after, name
        assert exported[name] != files[name]  # it really was re-serialised by bpmn-js
    page.select_option("#bpmn-file", "counter_dossier.bpmn")
    page.wait_for_function("() => window.gqtthcEditor.mainFile === 'counter_dossier.bpmn'")
    page.click("#btn-tests")
    page.locator("#editor-status", has_text="kiểm thử đạt").wait_for()
    page.click("#btn-validate")
    page.locator("#editor-status", has_text="Mô hình hợp lệ").wait_for()
    # timers are edited in the panel too (the supplement deadline's duration expression)
    page.click("[data-tab=diagram]")
    page.evaluate(
        "() => { const m = window.gqtthcEditor.bpmn;"
        " m.get('selection').select(m.get('elementRegistry').get('timer_supplement')); }"
    )
    panel = page.locator("#properties")
    panel.locator(".bio-properties-panel-group-header", has_text="Hẹn giờ").click()
    assert panel.get_by_text("Khoảng thời gian").count() >= 1 or "Duration" in panel.inner_text()


def test_the_panel_speaks_english_when_asked(browser_page):
    page = browser_page("phantich")
    page.goto("/models/counter_dossier/edit?lang=en")
    page.wait_for_selector("body[data-editor=ready]")
    page.click('[data-element-id="Lane_processing"]', position={"x": 10, "y": 40})
    panel = page.locator("#properties")
    panel.locator(".bio-properties-panel-group-header", has_text="Role").click()
    assert panel.locator("#bio-properties-panel-gqtthc-lane-role").input_value() == "processing"


ADD_RULE_TASK = """() => {
  const m = window.gqtthcEditor.bpmn;
  const registry = m.get('elementRegistry');
  const shape = m.get('elementFactory').createShape({ type: 'bpmn:BusinessRuleTask' });
  const lane = registry.get('Lane_processing');
  const task = m.get('modeling').createShape(
    shape, { x: lane.x + 400, y: lane.y + lane.height - 45 }, registry.get('Participant_counter'));
  m.get('modeling').updateProperties(task, { id: 'choose_unit', name: 'Chọn phòng' });
  m.get('selection').select(task);
}"""


def test_a_new_decision_table_is_edited_and_chosen_for_a_business_rule_task(browser_page):
    page = browser_page("phantich")
    page.goto("/models/counter_dossier/edit")
    page.wait_for_selector("body[data-editor=ready]")
    page.click("[data-tab=dmn]")
    page.once("dialog", lambda dialog: dialog.accept("chon_phong"))
    page.click("#dmn-new")
    page.locator("#dmn-canvas .djs-container, #dmn-canvas .tjs-container").first.wait_for()
    assert page.locator("#dmn-file").input_value() == "chon_phong.dmn"
    page.click("[data-tab=diagram]")
    page.evaluate(ADD_RULE_TASK)
    page.click("#btn-validate")
    # every problem of the new task at once: its decision and its missing flows
    problem = page.locator(
        '#problems li[data-element="choose_unit"]', has_text="chưa chọn bảng quyết định"
    )
    problem.wait_for()
    assert "không thể tới được phần tử này" in page.locator("#problems").inner_text()
    panel = page.locator("#properties")
    panel.locator(".bio-properties-panel-group-header", has_text="Quy tắc nghiệp vụ").click()
    page.select_option("#bio-properties-panel-gqtthc-decision-id", "chon_phong")
    page.click("#btn-validate")
    page.wait_for_function(
        "() => !document.querySelector('#problems').innerText.includes('chưa chọn bảng')"
    )
    # what is left is about the new task not being connected yet, not about its decision
    assert "không thể tới được phần tử này" in page.locator("#problems").inner_text()
    files = page.evaluate("async () => await window.gqtthcEditor.collect()")
    assert 'id="chon_phong"' in files["chon_phong.dmn"]
    assert (
        "<spiffworkflow:calledDecisionId>chon_phong</spiffworkflow:calledDecisionId>"
        in (files["counter_dossier.bpmn"])
    )


# The text a reader of the editor sees: its visible text and the labels of the palette and the
# context pad (title, aria-label), with the names the model itself gives its elements taken out
# (they are data, in the language the analyst wrote them).
EDITOR_TEXT = """() => {
  const root = document.querySelector('#editor');
  const shown = (node) => node.getClientRects().length > 0;
  const titles = [...root.querySelectorAll('[title], [aria-label]')].filter(shown)
    .flatMap((node) => [node.getAttribute('title'), node.getAttribute('aria-label')])
    .filter(Boolean);
  const names = window.gqtthcEditor.bpmn.get('elementRegistry').getAll()
    .map((element) => element.businessObject && element.businessObject.name)
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  // the drawing itself writes only the names (wrapped over lines), so it is left out whole
  const drawing = root.querySelector('#canvas .djs-container > svg');
  drawing.style.visibility = 'hidden';
  let text = [root.innerText, ...titles].join('\\n');
  drawing.style.visibility = '';
  names.forEach((name) => { text = text.split(name).join(' '); });
  return text;
}"""

SELECT_APPRAISAL = """() => { const m = window.gqtthcEditor.bpmn;
  m.get('selection').select(m.get('elementRegistry').get('appraisal')); }"""


def _open_checked_editor(page, lang: str) -> None:
    """The shipped model open in `lang`, checked, with the appraisal (a user task) selected
    and its form group open."""
    page.goto(f"/models/counter_dossier/edit?lang={lang}")
    page.wait_for_selector("body[data-editor=ready]")
    assert page.evaluate("() => document.documentElement.lang") == lang
    page.click("#btn-validate")
    page.wait_for_function("() => document.querySelector('#editor-status').dataset.kind === 'ok'")
    page.evaluate(SELECT_APPRAISAL)
    group = "Form and deadline" if lang == "en" else "Biểu mẫu và thời hạn"
    page.locator(".bio-properties-panel-group-header", has_text=group).click()
    page.locator("#bio-properties-panel-gqtthc-duration").wait_for()


def test_the_english_editor_shows_no_vietnamese_outside_the_models_names(browser_page):
    page = browser_page("phantich")
    _open_checked_editor(page, "en")
    assert page.locator("#editor-status").inner_text() == "The model is valid"
    panel = page.locator("#properties")
    label = panel.locator("label[for=bio-properties-panel-gqtthc-duration]")
    assert label.inner_text() == "Step deadline (working days)"
    assert panel.locator(".bio-properties-panel-group-header", has_text="General").count() == 1
    # bpmn-js's own palette keeps its English
    assert page.locator(".djs-palette [aria-label='Create start event']").count() == 1
    text = page.evaluate(EDITOR_TEXT)
    assert "Step deadline" in text  # the scan reads what the panel shows
    assert vietnamese_bits(text) == [], text
    # a service task: the operators on offer and the verdict on each parameter's expression
    page.evaluate(SELECT_APPRAISAL.replace("'appraisal'", "'store_result'"))
    page.locator(".bio-properties-panel-group-header", has_text="Service call").click()
    panel.locator(".bio-properties-panel-description", has_text="✓ Valid").first.wait_for()
    text = page.evaluate(EDITOR_TEXT)
    assert "Result variable" in text and "warehouse.store_result" in text
    assert vietnamese_bits(text) == [], text
    # a lane: the roles on offer
    page.click('[data-element-id="Lane_processing"]', position={"x": 10, "y": 40})
    page.locator(".bio-properties-panel-group-header", has_text="Role").click()
    text = page.evaluate(EDITOR_TEXT)
    assert "— choose a role —" in text
    assert vietnamese_bits(text) == [], text
    # a new decision table: the prompt and the table's first labels
    page.click("[data-tab=dmn]")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept("chon_phong")))
    page.click("#dmn-new")
    page.wait_for_function("() => window.gqtthcEditor.dmnFile === 'chon_phong.dmn'")
    assert asked == ["Decision table code (no accents, e.g. choose_unit)"]
    table = page.evaluate("() => window.gqtthcEditor.files['chon_phong.dmn']")
    assert 'name="Decision table"' in table and 'label="Channel"' in table


def test_the_vietnamese_editor_stays_vietnamese(browser_page):
    page = browser_page("phantich")
    _open_checked_editor(page, "vi")
    assert page.locator("#editor-status").inner_text() == "Mô hình hợp lệ"
    panel = page.locator("#properties")
    label = panel.locator("label[for=bio-properties-panel-gqtthc-duration]")
    assert label.inner_text() == "Thời hạn bước (ngày làm việc)"
    assert panel.locator(".bio-properties-panel-group-header", has_text="Chung").count() == 1
    assert page.locator(".djs-palette [aria-label='Tạo sự kiện bắt đầu']").count() == 1
    text = page.evaluate(EDITOR_TEXT)
    for english in ("The model is valid", "Step deadline", "Form and deadline", "General"):
        assert english not in text
    page.click("[data-tab=dmn]")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept("chon_phong")))
    page.click("#dmn-new")
    page.wait_for_function("() => window.gqtthcEditor.dmnFile === 'chon_phong.dmn'")
    assert asked == ["Mã bảng quyết định (không dấu, ví dụ: chon_phong)"]
    table = page.evaluate("() => window.gqtthcEditor.files['chon_phong.dmn']")
    assert 'name="Bảng quyết định"' in table and 'label="Kênh nộp"' in table
