"""Before a deploy, the editor shows what it would do: the bundle's problems, what changed
against the deployed version, and the model tests' verdicts; the preview writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.models import ModelVersion
from app.services.process_models.deploy import read_bundle
from app.storage.db import db
from config import ROOT
from tests.web.helpers import login, token

FILES = read_bundle(ROOT / "bpmn")
URL = "/models/counter_dossier/deploy-preview"


def preview(client, body: object):
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token(client, "/models")},
    )


def versions() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count(ModelVersion.id)))


@pytest.fixture
def analyst(client):
    login(client, "phantich")
    return client


def test_the_deployed_bundle_previews_as_unchanged_with_its_tests_passing(analyst):
    shown = preview(analyst, {"files": FILES}).json
    assert shown["problems"] == [] and shown["base"]["id"] == shown["same_as"]
    assert shown["changes"] == {"added": [], "removed": [], "changed": []}
    assert {t["file"] for t in shown["tests"]} == {n for n in FILES if n.endswith(".test.json")}
    assert all(t["passed"] for t in shown["tests"])


def test_a_renamed_step_is_listed_as_changed_with_both_names(analyst):
    before = versions()
    xml = FILES["counter_dossier.bpmn"]
    old_name = xml.split('id="appraisal" name="', 1)[1].split('"', 1)[0]
    renamed = xml.replace(f'id="appraisal" name="{old_name}"', 'id="appraisal" name="Thẩm định kỹ"')
    shown = preview(analyst, {"files": {**FILES, "counter_dossier.bpmn": renamed}}).json
    assert shown["same_as"] is None and shown["problems"] == []
    changed = {c["id"]: c for c in shown["changes"]["changed"]}
    assert changed["appraisal"]["name"] == old_name
    assert changed["appraisal"]["new_name"] == "Thẩm định kỹ"
    assert shown["changes"]["added"] == [] and shown["changes"]["removed"] == []
    assert versions() == before  # a preview deploys nothing


def test_a_failing_model_test_is_shown_before_deploying(analyst):
    failing = json.loads(FILES["tests/accept.test.json"])
    failing["expect"]["statuses"] = [1, 2]
    files = {**FILES, "tests/accept.test.json": json.dumps(failing)}
    shown = preview(analyst, {"files": files}).json
    verdicts = {t["file"]: t for t in shown["tests"]}
    assert verdicts["tests/accept.test.json"]["passed"] is False
    assert verdicts["tests/accept.test.json"]["failures"]
    assert all(t["passed"] for f, t in verdicts.items() if f != "tests/accept.test.json")


def test_a_bundle_with_problems_lists_them_and_runs_no_test(analyst):
    xml = FILES["counter_dossier.bpmn"].replace(
        "<spiffworkflow:formJsonSchemaFilename>forms/approval.schema.json"
        "</spiffworkflow:formJsonSchemaFilename>",
        "",
    )
    shown = preview(analyst, {"files": {**FILES, "counter_dossier.bpmn": xml}}).json
    assert [p["element_id"] for p in shown["problems"]] == ["approval"]
    assert "tests" not in shown and "changes" not in shown


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"files": "x"},
        {"files": {"../x.bpmn": "<x/>"}},
        {"files": {"a.bpmn": 5}},
        ["files"],
    ],
)
def test_a_malformed_preview_request_gets_a_clear_refusal(analyst, body):
    response = preview(analyst, body)
    assert response.status_code == 422 and response.json["error"]


def test_a_hostile_process_id_is_refused(analyst):
    response = analyst.post(
        "/models/a%20b/deploy-preview",
        data=json.dumps({"files": FILES}),
        content_type="application/json",
        headers={"X-CSRFToken": token(analyst, "/models")},
    )
    assert response.status_code == 422


def test_officers_cannot_preview_a_deploy(client):
    login(client, "tiepnhan")
    assert preview(client, {"files": FILES}).status_code == 403
