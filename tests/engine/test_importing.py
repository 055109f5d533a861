"""Importing a model made with another tool: each rule on a small model, located; hostile or
non-BPMN files refused with a clear reason."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from app.engine.errors import ModelError
from app.engine.import_conditions import translate
from app.engine.importing import CHANGED, DECIDE, import_model
from app.engine.validation_files import NS

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def bpmn(body: str, executable: str = "false", extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'xmlns:camunda="{CAMUNDA}" xmlns:flowable="http://flowable.org/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D" '
        f'targetNamespace="http://example.org">{extra}\n'
        f'<bpmn:process id="p" isExecutable="{executable}">\n{body}\n'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


def flows(*pairs: str) -> str:
    return "".join(
        f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}" />\n'
        for a, b in (p.split(">") for p in pairs)
    )


def findings(imported, status: str) -> list[tuple[str | None, str]]:
    return [(f.element_id, str(f.message)) for f in imported.findings if f.status == status]


def tree(imported):
    return etree.fromstring(imported.files[imported.file_name].encode())


@pytest.mark.parametrize(
    ("juel", "python"),
    [
        ("${amount > 100}", "amount > 100"),
        ("${approved}", "approved"),
        ("#{approved}", "approved"),
        ("${a == 'x' && b != 2}", "a == 'x' and b != 2"),
        ("${!x}", "not x"),
        ("${x eq 'y' || y ge 3}", "x == 'y' or y >= 3"),
        ("${not rejected and score le 5}", "not rejected and score <= 5"),
        ("= amount > 100", "amount > 100"),
        ('=status = "ok" and done = true', 'status == "ok" and done == True'),
    ],
)
def test_simple_juel_and_feel_conditions_become_python(juel: str, python: str):
    assert translate(juel).python == python


@pytest.mark.parametrize(
    "juel",
    [
        "${order.amount > 5}",
        "${service.check(x)}",
        "${a ? b : c}",
        "${x}}",
        "${}",
        "${__import__('os')}",
        "${a[0] > 1}",
    ],
)
def test_conditions_beyond_simple_comparisons_are_not_translated(juel: str):
    result = translate(juel)
    assert result.python is None and str(result.reason)


def test_a_non_executable_process_is_made_executable_and_reported():
    body = '<bpmn:startEvent id="s" /><bpmn:endEvent id="e" />' + flows("s>e")
    imported = import_model(bpmn(body), "m.bpmn")
    assert tree(imported).find("bpmn:process", NS).get("isExecutable") == "true"
    assert findings(imported, CHANGED) == [("p", "đánh dấu quy trình là thực thi được")]
    assert findings(imported, DECIDE) == []


def test_candidate_groups_become_a_role_lane_proposed_then_confirmed():
    body = (
        '<bpmn:startEvent id="s" />'
        '<bpmn:userTask id="t" name="Approve" camunda:candidateGroups="management" />'
        '<bpmn:endEvent id="e" />' + flows("s>t", "t>e")
    )
    proposed = import_model(bpmn(body), "m.bpmn")
    assert proposed.roles == {"management": "leader"}
    lane = tree(proposed).find(".//bpmn:lane", NS)
    assert lane.get("name") == "Lãnh đạo"
    assert [r.text for r in lane.iterfind("bpmn:flowNodeRef", NS)] == ["t"]
    assert tree(proposed).find(".//bpmn:userTask", NS).get(f"{{{CAMUNDA}}}candidateGroups") is None
    assert any("đề xuất" in m for i, m in findings(proposed, CHANGED) if i == "t")
    confirmed = import_model(bpmn(body), "m.bpmn", {"management": "processing"})
    assert tree(confirmed).find(".//bpmn:lane", NS).get("name") == "Chuyên viên xử lý"
    assert any("đã xác nhận" in m for i, m in findings(confirmed, CHANGED) if i == "t")


def test_a_lane_name_is_mapped_to_a_role_and_the_lane_renamed():
    lanes = (
        '<bpmn:laneSet id="ls"><bpmn:lane id="L1" name="Clerk">'
        "<bpmn:flowNodeRef>t</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"
    )
    body = lanes + '<bpmn:startEvent id="s" /><bpmn:userTask id="t" /><bpmn:endEvent id="e" />'
    imported = import_model(bpmn(body + flows("s>t", "t>e")), "m.bpmn")
    assert imported.roles == {"Clerk": "reception"}
    assert tree(imported).find(".//bpmn:lane", NS).get("name") == "Cán bộ một cửa"
    assert ("L1", "làn «Clerk» ứng với vai trò «Cán bộ một cửa» (đề xuất, cần xác nhận)") in (
        findings(imported, CHANGED)
    )


def test_a_generated_form_becomes_a_json_schema_stub():
    form = (
        "<bpmn:extensionElements><camunda:formData>"
        '<camunda:formField id="amount" label="Amount" type="long">'
        '<camunda:validation><camunda:constraint name="required" /></camunda:validation>'
        "</camunda:formField>"
        '<camunda:formField id="kind" label="Kind" type="enum">'
        '<camunda:value id="a" name="A" /><camunda:value id="b" name="B" /></camunda:formField>'
        '<camunda:formField id="Do you agree?" type="boolean" />'
        "</camunda:formData></bpmn:extensionElements>"
    )
    body = (
        f'<bpmn:startEvent id="s" /><bpmn:userTask id="t" name="Fill">{form}</bpmn:userTask>'
        '<bpmn:endEvent id="e" />' + flows("s>t", "t>e")
    )
    imported = import_model(bpmn(body), "m.bpmn")
    schema = json.loads(imported.files["forms/t.schema.json"])
    assert schema["title"] == "Fill" and schema["required"] == ["amount"]
    assert schema["properties"]["amount"] == {"type": "integer", "title": "Amount"}
    assert schema["properties"]["kind"]["enum"] == ["a", "b"]
    assert schema["properties"]["do_you_agree"]["type"] == "boolean"
    task = tree(imported).find(".//bpmn:userTask", NS)
    assert task.findtext(".//spiffworkflow:formJsonSchemaFilename", namespaces=NS) == (
        "forms/t.schema.json"
    )
    assert task.find(f".//{{{CAMUNDA}}}formData") is None


def test_the_step_before_a_gateway_asks_for_what_its_conditions_read():
    body = (
        '<bpmn:startEvent id="s" /><bpmn:userTask id="t" camunda:formKey="embedded:x.html" />'
        '<bpmn:exclusiveGateway id="g" /><bpmn:endEvent id="yes" /><bpmn:endEvent id="no" />'
        + flows("s>t", "t>g")
        + '<bpmn:sequenceFlow id="y" sourceRef="g" targetRef="yes"><bpmn:conditionExpression '
        'xsi:type="bpmn:tFormalExpression">${approved &amp;&amp; amount &gt; 100}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="n" sourceRef="g" targetRef="no"><bpmn:conditionExpression '
        'xsi:type="bpmn:tFormalExpression">${!approved}</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>"
    )
    imported = import_model(bpmn(body), "m.bpmn")
    root = tree(imported)
    conditions = {
        f.get("id"): f.findtext("bpmn:conditionExpression", namespaces=NS)
        for f in root.iter(f"{{{NS['bpmn']}}}sequenceFlow")
    }
    assert conditions["y"] == "approved and amount > 100"
    assert conditions["n"] == "not approved"
    schema = json.loads(imported.files["forms/t.schema.json"])
    assert schema["properties"]["approved"]["type"] == "boolean"
    assert schema["properties"]["amount"]["type"] == "number"
    assert schema["description"] == "formKey: embedded:x.html"
    assert findings(imported, DECIDE) == []


def test_iso_timers_stay_literals_and_cron_is_a_decision():
    body = (
        '<bpmn:startEvent id="s" /><bpmn:intermediateCatchEvent id="wait">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        '<bpmn:intermediateCatchEvent id="cycle"><bpmn:timerEventDefinition>'
        "<bpmn:timeCycle>R3/P1D</bpmn:timeCycle></bpmn:timerEventDefinition>"
        '</bpmn:intermediateCatchEvent><bpmn:intermediateCatchEvent id="cron">'
        "<bpmn:timerEventDefinition><bpmn:timeCycle>0 0 9 * * ?</bpmn:timeCycle>"
        '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="e" />'
        + flows("s>wait", "wait>cycle", "cycle>cron", "cron>e")
    )
    imported = import_model(bpmn(body), "m.bpmn")
    texts = [el.text for el in tree(imported).iter(f"{{{NS['bpmn']}}}timeDuration")]
    texts += [el.text for el in tree(imported).iter(f"{{{NS['bpmn']}}}timeCycle")]
    assert texts == ['"PT1H"', '"R3/P1D"', "0 0 9 * * ?"]
    assert [i for i, _m in findings(imported, DECIDE)] == ["cron"]


def test_what_has_no_equivalent_here_is_a_located_decision():
    body = (
        '<bpmn:startEvent id="s" />\n'
        '<bpmn:serviceTask id="call" name="Check credit" camunda:class="org.x.Check" />\n'
        '<bpmn:complexGateway id="cg" name="Complex" />\n'
        '<bpmn:dataStoreReference id="ds" name="CRM" />\n'
        '<bpmn:exclusiveGateway id="g" name="Which?" />\n'
        '<bpmn:endEvent id="e1" /><bpmn:endEvent id="e2" />\n'
        + flows("s>call", "call>cg", "cg>g", "g>e1", "g>e2")
    )
    imported = import_model(bpmn(body), "m.bpmn")
    decided = {f.element_id: f for f in imported.findings if f.status == DECIDE}
    assert set(decided) == {"call", "cg", "ds", "f_g_e1", "f_g_e2"}
    assert "org.x.Check" in str(decided["call"].message)
    assert decided["call"].line == 5 and decided["call"].name == "Check credit"
    assert decided["ds"].kind == "dataStoreReference" and "CRM" in str(decided["ds"].message)
    assert "Which?" in str(decided["f_g_e1"].message)


def test_an_implicit_parallel_split_gets_a_parallel_gateway():
    body = (
        '<bpmn:startEvent id="s" /><bpmn:userTask id="t" /><bpmn:endEvent id="a" />'
        '<bpmn:endEvent id="b" />' + flows("s>t", "t>a", "t>b")
    )
    imported = import_model(bpmn(body), "m.bpmn")
    root = tree(imported)
    gateway = root.find(".//bpmn:parallelGateway", NS)
    assert gateway is not None
    sources = {
        f.get("targetRef"): f.get("sourceRef") for f in root.iter(f"{{{NS['bpmn']}}}sequenceFlow")
    }
    assert sources["a"] == sources["b"] == gateway.get("id")
    assert sources[gateway.get("id")] == "t"


def test_ids_that_are_not_xml_names_are_renamed_with_their_references():
    body = (
        '<bpmn:startEvent id="1-start" /><bpmn:endEvent id="e" />'
        '<bpmn:sequenceFlow id="f" sourceRef="1-start" targetRef="e" />'
    )
    imported = import_model(bpmn(body), "m.bpmn")
    root = tree(imported)
    assert root.find(".//bpmn:startEvent", NS).get("id") == "_1-start"
    assert root.find(".//bpmn:sequenceFlow", NS).get("sourceRef") == "_1-start"


HOSTILE = {
    "xxe": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;'
    b"</bpmn:definitions>",
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "not utf-8": "<bpmn:definitions>é</bpmn:definitions>".encode("latin-1"),
    "not xml": b"this is not a model",
    "other xml": b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    "dmn": b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" />',
    "no process": b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    b' id="d" targetNamespace="x" />',
    "huge": b"<a>" + b" " * (2 * 1024 * 1024 + 10) + b"</a>",
    "empty": b"",
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_and_non_bpmn_files_are_refused_with_a_reason(case: str):
    with pytest.raises(ModelError) as refused:
        import_model(HOSTILE[case], "x.bpmn")
    assert refused.value.problems and str(refused.value.problems[0].message)
