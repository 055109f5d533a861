"""Model validation keeps the system's variables to the system: no form field, service result
or message variable may carry one of their names, and no form overwrites a result or message
variable of its bundle. Every problem is located."""

from __future__ import annotations

import json

import pytest

from app.domain.process_variables import SYSTEM_OWNED
from app.engine.validation import validate
from tests.engine.test_validation import CATALOGS, HEAD, LANE_A, WITH_FORM, chain, model


def located(files: dict[str, str]) -> list[tuple[str | None, str | None, int | None, str]]:
    return [(p.file, p.element_id, p.line, p.message) for p in validate(files, "p", CATALOGS)]


def form(*names: str) -> str:
    properties = {name: {"type": "string"} for name in names}
    return json.dumps({"type": "object", "properties": properties}, indent=1)


def with_form(*names: str) -> dict[str, str]:
    task = f'<bpmn:userTask id="a" name="A">{WITH_FORM}</bpmn:userTask>'
    return {**model(chain(task), LANE_A), "forms/a.schema.json": form(*names)}


@pytest.mark.parametrize("name", sorted(SYSTEM_OWNED))
def test_a_form_may_not_declare_a_system_variable(name):
    files = with_form("note", name)
    line = files["forms/a.schema.json"].splitlines().index(f'  "{name}": {{') + 1
    assert located(files) == [
        (
            "forms/a.schema.json",
            None,
            line,
            f"trường biểu mẫu «{name}» là biến do hệ thống quản lý",
        )
    ]


def test_the_forms_own_fields_and_pre_filled_contacts_are_fine():
    assert located(with_form("note", "phone", "email", "result_name")) == []


def service(result: str) -> str:
    return (
        '<bpmn:serviceTask id="s"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator '
        f'id="portal.sync_status" resultVariable="{result}"><spiffworkflow:parameters>'
        '<spiffworkflow:parameter id="dossier_code" type="str" value="dossier_code" />'
        '<spiffworkflow:parameter id="status" type="int" value="1" />'
        "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def test_a_service_result_may_not_land_in_a_system_variable():
    [(file, element, line, message)] = located(model(chain(service("agency_code"))))
    assert (file, element, line) == ("m.bpmn", "s", 2)
    assert "biến kết quả dịch vụ «agency_code» là biến do hệ thống quản lý" in message


def test_a_form_may_not_overwrite_a_service_result_of_its_bundle():
    task = f'<bpmn:userTask id="a" name="A">{WITH_FORM}</bpmn:userTask>'
    files = {
        **model(chain(service("sync"), task), LANE_A),
        "forms/a.schema.json": form("sync"),
    }
    assert [(f, m) for f, _, _, m in located(files)] == [
        (
            "forms/a.schema.json",
            "trường biểu mẫu «sync» ghi đè biến kết quả dịch vụ cùng tên",
        )
    ]


def message_model(variable: str) -> dict[str, str]:
    catch = (
        '<bpmn:intermediateCatchEvent id="m"><bpmn:messageEventDefinition id="md" '
        'messageRef="Msg"><bpmn:extensionElements><spiffworkflow:messageVariable>'
        f"{variable}</spiffworkflow:messageVariable></bpmn:extensionElements>"
        "</bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>"
    )
    text = model(chain(catch))["m.bpmn"]
    return {"m.bpmn": text.replace(HEAD, HEAD + '<bpmn:message id="Msg" name="thanh_toan" />')}


def test_a_message_may_not_land_in_a_system_variable():
    assert located(message_model("payment")) == []
    [(file, element, _, message)] = located(message_model("fee_amount"))
    assert (file, element) == ("m.bpmn", "m")
    assert "biến thông điệp «fee_amount» là biến do hệ thống quản lý" in message
