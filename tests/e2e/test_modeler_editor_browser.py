"""In a real headless Chromium, the editor stays out of the analyst's way: the canvas fills the
window below one toolbar with nothing over the diagram, the replace menu (the wrench) changes
an element's type, the problems sit beside the canvas by name and a click shows the element,
deploying asks first with the changes and the tests' verdicts, a phone gets a read-only
viewer, and no page loads with a console error."""

from __future__ import annotations

import pytest

from app.services.process_models.deploy import read_bundle
from config import ROOT

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
EDIT = "/models/counter_dossier/edit"


def watched(page) -> list[str]:  # noqa: ANN001
    """Every console error and uncaught page error from now on."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    return errors


def open_editor(browser_page, viewport: dict, lang: str = "vi"):  # noqa: ANN201
    page = browser_page("phantich")
    page.set_viewport_size(viewport)
    errors = watched(page)
    page.goto(f"{EDIT}?lang={lang}")
    page.wait_for_selector("body[data-editor=ready]")
    return page, errors


def exported(page) -> str:  # noqa: ANN001
    return page.evaluate(
        "async () => (await window.gqtthcEditor.bpmn.saveXML({ format: true })).xml"
    )


def rect(page, selector: str) -> dict:  # noqa: ANN001
    return page.locator(selector).first.bounding_box()


SHAPES_IN_VIEW = """() => {
  const canvas = document.querySelector('#canvas').getBoundingClientRect();
  const palette = document.querySelector('.djs-palette');
  const left = palette ? palette.getBoundingClientRect().right : canvas.left;
  const shapes = [...document.querySelectorAll('#canvas .djs-element.djs-shape')]
    .map((node) => node.getBoundingClientRect()).filter((r) => r.width > 0);
  return {
    count: shapes.length,
    under_palette: shapes.filter((r) => r.left < left).length,
    outside: shapes.filter((r) => r.right > canvas.right + 1 || r.bottom > canvas.bottom + 1
      || r.top < canvas.top - 1).length,
  };
}"""


def test_the_canvas_fills_the_window_below_one_toolbar_and_nothing_covers_the_diagram(
    browser_page,
):
    page, errors = open_editor(browser_page, DESKTOP)
    assert page.evaluate("() => document.documentElement.scrollHeight") <= DESKTOP["height"]
    toolbar = rect(page, "#editor .toolbar")
    assert toolbar["height"] < 56, toolbar  # one row of controls
    canvas = rect(page, "#canvas")
    assert canvas["y"] <= 125 and canvas["y"] + canvas["height"] >= DESKTOP["height"] - 2
    assert canvas["height"] > 600
    shapes = page.evaluate(SHAPES_IN_VIEW)
    assert shapes["count"] > 50 and shapes["under_palette"] == 0 and shapes["outside"] == 0
    side = rect(page, ".editor-side")
    assert side["x"] >= canvas["x"] + canvas["width"] - 1  # the panel is beside, not over it
    assert errors == []


@pytest.mark.parametrize(
    ("element", "entry", "tag"),
    [
        ("milestone_processing", "replace-with-timer-intermediate-catch", "intermediateCatchEvent"),
        ("gw_channel", "replace-with-parallel-gateway", "parallelGateway"),
        ("store_result", "replace-with-user-task", "userTask"),
    ],
)
def test_the_wrench_replaces_an_element_by_another_type(browser_page, element, entry, tag):
    page, errors = open_editor(browser_page, DESKTOP)
    page.click(f'#canvas [data-element-id="{element}"]')
    page.click('.djs-context-pad [data-action="replace"]')
    page.click(f'.djs-popup [data-id="{entry}"]')
    xml = exported(page)
    assert f'<bpmn:{tag} id="{element}"' in xml
    if tag == "intermediateCatchEvent":
        body = xml.split(f'id="{element}"', 1)[1].split(f"</bpmn:{tag}>")[0]
        assert "<bpmn:timerEventDefinition" in body
    assert errors == []


def test_a_task_made_a_user_task_with_the_wrench_is_checked_before_any_deploy(browser_page):
    page, errors = open_editor(browser_page, DESKTOP)
    # the analyst's starting point: a plain task already on the path (a draft)
    page.evaluate(
        """() => { const m = window.gqtthcEditor.bpmn;
        const shape = m.get('elementRegistry').get('store_result');
        m.get('bpmnReplace').replaceElement(shape, { type: 'bpmn:Task' });
        m.get('selection').select(null); }"""
    )
    assert '<bpmn:task id="store_result"' in exported(page)
    page.click('#canvas [data-element-id="store_result"]')  # 1
    page.click('.djs-context-pad [data-action="replace"]')  # 2
    page.click('.djs-popup [data-id="replace-with-user-task"]')  # 3
    page.click("#btn-deploy")  # 4
    dialog = page.locator("#deploy-dialog")
    dialog.locator("#deploy-problems").wait_for()
    changes = dialog.locator("#deploy-changes").inner_text()
    assert "So với phiên bản đã triển khai #1" in changes
    # a user task without a form is refused before anything is deployed
    assert "chưa có biểu mẫu" in dialog.inner_text()
    assert page.locator("#deploy-confirm").is_disabled()
    assert page.locator('#problems > li[data-element="store_result"]').count() >= 1
    assert errors == []


def test_deploying_asks_first_with_the_changes_and_the_tests_then_deploys(browser_page):
    page, errors = open_editor(browser_page, DESKTOP)
    page.evaluate(
        """() => { const m = window.gqtthcEditor.bpmn;
        const appraisal = m.get('elementRegistry').get('appraisal');
        m.get('modeling').updateLabel(appraisal, 'Thẩm định kỹ'); }"""
    )
    page.fill("#comment", "Đổi tên bước thẩm định")
    page.click("#btn-deploy")
    dialog = page.locator("#deploy-dialog")
    dialog.locator("#deploy-tests-verdict", has_text="10 kiểm thử đạt").wait_for()
    changed = dialog.locator("#deploy-changes li.changed").inner_text()
    assert "Thẩm định hồ sơ → Thẩm định kỹ" in changed and "appraisal" in changed
    assert dialog.locator("#deploy-comment").input_value() == "Đổi tên bước thẩm định"
    page.click("#deploy-cancel")  # changing one's mind deploys nothing
    assert not dialog.is_visible()
    assert "Đã triển khai" not in page.locator("#editor-status").inner_text()
    page.click("#btn-deploy")
    page.locator("#deploy-confirm:enabled").click()
    page.locator("#editor-status", has_text="Đã triển khai phiên bản").wait_for()
    assert not dialog.is_visible()
    version = page.locator("#editor-status").inner_text().rsplit(" ", 1)[-1]
    page.goto(f"/models/diff?old=1&new={version}")
    assert "Thẩm định kỹ" in page.locator("#changes").inner_text()
    assert errors == []


def test_the_english_confirmation_shows_no_vietnamese_outside_the_models_names(browser_page):
    from tests.web.test_one_language import vietnamese_bits

    page, errors = open_editor(browser_page, DESKTOP, lang="en")
    page.evaluate(
        """() => { const m = window.gqtthcEditor.bpmn;
        m.get('modeling').updateLabel(m.get('elementRegistry').get('appraisal'), 'Appraise'); }"""
    )
    page.click("#btn-deploy")
    dialog = page.locator("#deploy-dialog")
    dialog.locator("#deploy-tests-verdict", has_text="passed").wait_for()
    text = dialog.inner_text()
    assert "Compared with deployed version #1" in text and "Confirm and deploy" in text
    assert vietnamese_bits(text.replace("Thẩm định hồ sơ", "")) == [], text
    assert errors == []


def test_a_failing_model_test_keeps_an_analyst_from_confirming(browser_page):
    page, errors = open_editor(browser_page, DESKTOP)
    page.evaluate(
        """() => { const e = window.gqtthcEditor; const name = 'tests/accept.test.json';
        const test = JSON.parse(e.files[name]); test.expect.statuses = [1, 2];
        e.files[name] = JSON.stringify(test); }"""
    )
    page.click("#btn-deploy")
    dialog = page.locator("#deploy-dialog")
    dialog.locator("#deploy-tests li.failed").first.wait_for()
    assert "tests/accept.test.json" in dialog.locator("#deploy-tests").inner_text()
    assert "chỉ quản trị viên" in dialog.locator("#deploy-blocked").inner_text()
    assert page.locator("#deploy-confirm").is_disabled()
    assert errors == []


BROKEN_FLOW = """() => { const m = window.gqtthcEditor.bpmn;
  m.get('modeling').removeElements([
    m.get('elementRegistry').get('Flow_milestone_processing_appraisal')]); }"""


def test_a_problem_names_its_element_and_a_click_brings_it_into_view(browser_page):
    page, errors = open_editor(browser_page, DESKTOP)
    page.evaluate(BROKEN_FLOW)
    page.click("#btn-validate")
    # the step left without its way out (what it leaves unreachable is folded under it)
    problem = page.locator('#problems > li[data-element="milestone_processing"]')
    problem.wait_for()
    assert problem.locator("strong").first.inner_text() == "Đang xử lý"  # its label
    canvas = rect(page, "#canvas")
    assert rect(page, "#problems-card")["x"] >= canvas["x"] + canvas["width"] - 1  # beside it
    page.evaluate("() => window.gqtthcEditor.bpmn.get('canvas').zoom(0.2, { x: 0, y: 0 })")
    problem.click()
    assert page.evaluate("() => window.gqtthcEditor.bpmn.get('canvas').zoom()") >= 0.99
    selected = page.evaluate(
        "() => window.gqtthcEditor.bpmn.get('selection').get().map((e) => e.id)"
    )
    assert selected == ["milestone_processing"]
    shape = rect(page, '#canvas [data-element-id="milestone_processing"]')
    right, bottom = canvas["x"] + canvas["width"], canvas["y"] + canvas["height"]
    assert canvas["x"] < shape["x"] and shape["x"] + shape["width"] < right
    assert canvas["y"] < shape["y"] and shape["y"] + shape["height"] < bottom
    assert errors == []


def test_one_deleted_flow_is_one_problem_from_the_server_with_its_knock_ons_folded(browser_page):
    page, errors = open_editor(browser_page, DESKTOP)
    page.evaluate(BROKEN_FLOW)
    page.click("#btn-validate")
    page.locator("#problems > li").first.wait_for()
    # the real server's answer: the step left without its way out, named by its label
    assert page.locator("#problems > li").count() == 1
    [problem] = page.locator("#problems > li").all()
    assert problem.get_attribute("data-element") == "milestone_processing"
    assert problem.locator("strong").first.inner_text() == "Đang xử lý"
    # everything it leaves unreachable folded under it, each named by its label
    folded = problem.locator("details.consequences")
    assert not folded.locator("li").first.is_visible()
    folded.locator("summary").first.click()
    appraisal = folded.locator('li[data-consequence="appraisal"]')
    assert appraisal.locator("strong").first.inner_text() == "Thẩm định hồ sơ"
    assert folded.locator("li").count() >= 5
    assert page.locator('#problems > li[data-element="appraisal"]').count() == 0
    assert errors == []


SHOW = "(problems) => { window.gqtthcEditor.showProblems(problems); }"


def test_the_problem_list_reads_both_shapes_of_the_servers_answer(browser_page):
    page, errors = open_editor(browser_page, DESKTOP)
    # the list, each problem with its knock-on consequences folded under it
    page.evaluate(
        SHOW,
        [
            {
                "file": "counter_dossier.bpmn",
                "line": 12,
                "element_id": "Flow_x",
                "element_name": "Luồng đã xoá",
                "code": "unreachable",
                "message": "luồng bị xoá",
                "consequences": [
                    {"element_id": "appraisal", "message": "không thể tới được"},
                    "một hệ quả không gắn phần tử",
                ],
            }
        ],
    )
    top = page.locator("#problems > li")
    assert top.count() == 1 and "Luồng đã xoá" in top.inner_text()
    folded = top.locator("details.consequences")
    assert "2" in folded.locator("summary").inner_text()
    folded.locator("summary").click()
    consequence = folded.locator('li[data-consequence="appraisal"]')
    assert "Thẩm định hồ sơ" in consequence.inner_text()  # named by its label
    consequence.click()
    selected = page.evaluate(
        "() => window.gqtthcEditor.bpmn.get('selection').get().map((e) => e.id)"
    )
    assert selected == ["appraisal"]
    # the older object keyed by file:line:element
    page.evaluate(SHOW, {"counter_dossier.bpmn:40:approval": "chưa có biểu mẫu", "-:-:-": "x"})
    assert page.locator("#problems > li").count() == 2
    approval = page.locator('#problems > li[data-element="approval"]')
    assert "Phê duyệt kết quả" in approval.inner_text() and "dòng 40" in approval.inner_text()
    # hostile text is shown as text, never as markup
    page.evaluate(SHOW, [{"element_id": "x", "message": "<img src=x onerror=alert(1)>"}])
    assert page.locator("#problems img").count() == 0
    assert "<img" in page.locator("#problems").inner_text()
    page.evaluate(SHOW, [])
    assert not page.locator("#problems-card").is_visible()
    assert errors == []


def test_a_phone_gets_a_read_only_viewer_without_errors(browser_page):
    page, errors = open_editor(browser_page, PHONE)
    assert page.locator("#read-only-note").is_visible()
    for hidden in ("#btn-deploy", "#btn-save", "#comment", ".djs-palette", "#properties"):
        assert not page.locator(hidden).is_visible(), hidden
    shapes = page.evaluate(SHAPES_IN_VIEW)
    assert shapes["count"] > 50 and shapes["outside"] == 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#btn-validate")
    page.locator("#editor-status", has_text="Mô hình hợp lệ").wait_for()
    assert rect(page, "#editor-status")["width"] > PHONE["width"] / 2  # readable, not squeezed
    assert errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_console_error_on_load_or_during_basic_edits(browser_page, viewport):
    page, errors = open_editor(browser_page, viewport)
    for tab in ("forms", "tests", "drafts", "diagram"):
        if page.locator(f"[data-tab={tab}]").is_visible():
            page.click(f"[data-tab={tab}]")
    if viewport is DESKTOP:
        page.click("[data-tab=dmn]")
        page.click("[data-tab=diagram]")
        page.click('#canvas [data-element-id="appraisal"]')
        page.keyboard.press("Escape")
        page.evaluate(BROKEN_FLOW)
        page.evaluate("() => window.gqtthcEditor.bpmn.get('commandStack').undo()")
    names = sorted(n for n in read_bundle(ROOT / "bpmn") if n.endswith(".bpmn"))
    for name in names:
        page.select_option("#bpmn-file", name)
        page.wait_for_function(f"() => window.gqtthcEditor.mainFile === '{name}'")
    page.click("#btn-validate")
    page.locator("#editor-status[data-kind=ok]").wait_for()
    assert errors == []
