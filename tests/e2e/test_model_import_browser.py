"""In a real headless Chromium: an analyst imports a model made with Camunda Modeler, reads
the report and opens the result in the editor, where it validates."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser]

CORPUS = Path(__file__).parent.parent / "data" / "foreign_models"


def test_an_analyst_imports_a_camunda_model_and_opens_it_in_the_editor(browser_page):
    page = browser_page("phantich")
    page.goto("/models")
    page.click("#import-foreign")
    page.set_input_files(
        "input[name=model]", str(CORPUS / "camunda-bpm-examples" / "react-example.bpmn")
    )
    page.click("button.primary")
    page.locator("#summary", has_text="Mô hình đã hợp lệ").wait_for()
    page.locator("#findings", has_text="điều kiện «${approved}» thành «approved»").wait_for()
    page.click("#open-draft")
    page.wait_for_url("**/models/reactExample/edit?revision=1")
    page.wait_for_selector("body[data-editor=ready]")
    names = page.evaluate(
        "() => window.gqtthcEditor.bpmn.get('elementRegistry')"
        ".filter((e) => e.type === 'bpmn:UserTask').map((e) => e.businessObject.name)"
    )
    assert "Approve Invoice" in names and len(names) == 4  # three tasks were manual/untyped
