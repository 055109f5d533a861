"""A dry-run migration always answers on the same page, with the form kept: from a version to
itself, between versions of different processes or that do not exist, or between versions
whose elements are incompatible (Camunda 7's rules: same element type; a waiting timer keeps
its trigger unless asked), it says why, element by element, and what the analyst can do."""

# ruff: noqa: F811 (pytest fixtures imported from the service tests)
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.domain.clock import utcnow
from app.models import ProcessInstance
from app.services.core import runtime
from app.services.process_models import migrations
from app.services.process_models.deploy import deploy, read_bundle
from app.storage.db import db
from config import ROOT
from tests.services.test_migrations import no_queue, running  # noqa: F401
from tests.web.helpers import login, token


def deploy_files(files: dict[str, str], process_id: str = "counter_dossier") -> int:
    with db.transaction() as session:
        # the model tests are the counter process's: beside the point of these versions
        return deploy(
            session,
            files,
            process_id=process_id,
            name="x",
            deployed_by="test",
            override_reason="migration test",
        ).id


def appraisal_made_manual() -> int:
    """A version where the appraisal step is a manual task instead of a user task."""
    files = read_bundle(ROOT / "bpmn")
    lines = files["counter_dossier.bpmn"].splitlines()
    for i, line in enumerate(lines):
        if '<bpmn:userTask id="appraisal"' in line:
            lines[i] = (
                line.replace("<bpmn:userTask", "<bpmn:manualTask")
                .replace("</bpmn:userTask>", "</bpmn:manualTask>")
                .replace(
                    '<spiffworkflow:property name="assignToPerformerOf" value="appraisal" />', ""
                )
            )
    files["counter_dossier.bpmn"] = "\n".join(lines)
    return deploy_files(files)


def timer_variant(expression: str) -> int:
    """A version where the appraisal's escalation timer is defined otherwise."""
    files = read_bundle(ROOT / "bpmn")
    files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"].replace(
        "after_working_days(appraisal_escalation)", expression
    )
    return deploy_files(files)


def page(client, source: int, target: int) -> tuple[int, str]:
    response = client.get(f"/models/migrate?source={source}&target={target}")
    return response.status_code, response.get_data(as_text=True)


def test_a_version_to_itself_says_why_and_keeps_the_form(client, actors, running):
    login(client, "phantich")
    status, body = page(client, 1, 1)
    assert status == 422
    assert 'id="migrate-choose"' in body and 'id="why-not"' in body
    assert "Phiên bản nguồn và đích là một (#1)" in body
    assert "Triển khai phiên bản mới của quy trình rồi chọn nó làm phiên bản đích" in body
    assert 'action="/models/migrate" method="post"' not in body and "Chuyển 0" not in body
    assert "Số hồ sơ đang xử lý trên phiên bản #1" in body


def test_versions_of_different_processes_or_unknown_ones_say_why(client, actors):
    files = read_bundle(ROOT / "bpmn")
    files["account_check.bpmn"] += "<!-- deployed on its own -->"
    other = deploy_files(files, "account_check")
    login(client, "phantich")
    status, body = page(client, 1, other)
    assert status == 422 and "hai quy trình khác nhau (counter_dossier, account_check)" in body
    status, body = page(client, 1, 999999)
    assert status == 422 and "Không có phiên bản #999999" in body and 'id="migrate-choose"' in body


def test_an_element_whose_type_changed_is_named_and_blocks_only_who_waits_there(
    client, actors, running
):
    target = appraisal_made_manual()
    login(client, "phantich")
    status, body = page(client, 1, target)
    assert status == 200
    elements = body.split('id="elements"')[1].split("</section>")[0]
    assert "Thẩm định hồ sơ" in elements and "<code>appraisal</code>" in elements
    assert "đổi loại từ UserTask sang ManualTask" in elements
    assert "Giữ nguyên loại phần tử" in elements
    plans = {p.dossier_code: p for p in migrations.preview(1, target, actors["phantich"]).plans}
    assert plans[running["reception"]].movable
    blocked = plans[running["appraisal"]]
    assert not blocked.movable
    assert [r.element_id for r in blocked.details] == ["appraisal"]
    assert "đổi loại phần tử" in blocked.details[0].message
    assert "Cách xử lý" in body.split('id="plans"')[1]


def next_timer(dossier_instance: int):  # noqa: ANN201
    with db.transaction() as session:
        return runtime.load_instance(session, dossier_instance).run.next_timer_at()


def instance_of(code: str) -> int:
    from app.models import Dossier

    with db.transaction() as session:
        return session.scalar(select(ProcessInstance.id).join(Dossier).where(Dossier.code == code))


def test_a_waiting_timer_whose_definition_changed_moves_and_keeps_its_trigger(
    client, actors, running
):
    instance = instance_of(running["appraisal"])
    due = next_timer(instance)
    assert due is not None
    target = timer_variant('after_working_days("P9D")')
    [plan] = [
        p
        for p in migrations.preview(1, target, actors["phantich"]).plans
        if p.dossier_code == running["appraisal"]
    ]
    assert plan.movable, plan.reasons
    login(client, "phantich")
    response = client.post(
        "/models/migrate",
        data={"source": 1, "target": target, "csrf_token": token(client, "/models")},
    )
    assert response.status_code == 302
    assert next_timer(instance) == due


def test_asked_to_update_timers_a_move_recomputes_them_on_the_new_version(actors, running):
    instance = instance_of(running["appraisal"])
    target = timer_variant('after_working_days("PT1H")')
    migrations.apply(1, target, actors["phantich"], update_timers=True)
    due = next_timer(instance)
    assert due is not None and abs(due - (utcnow() + timedelta(hours=1))) < timedelta(minutes=5)


def test_the_cli_says_why_and_what_to_do(app, actors, running):
    cli = app.test_cli_runner()
    same = cli.invoke(args=["models", "migrate", "--from", "1", "--to", "1"])
    assert same.exit_code == 1
    assert "Phiên bản nguồn và đích là một" in same.output and "→ Triển khai" in same.output
    target = appraisal_made_manual()
    dry = cli.invoke(args=["models", "migrate", "--from", "1", "--to", str(target)])
    assert dry.exit_code == 0, dry.output
    assert "appraisal: «Thẩm định hồ sơ» đổi loại từ UserTask sang ManualTask" in dry.output
    assert f"{running['appraisal']}: bước «Thẩm định hồ sơ» đổi loại phần tử" in dry.output
    assert "Chạy thử: chưa chuyển gì" in dry.output


def test_in_english_mode_the_reasons_and_advice_are_english(client, actors):
    login(client, "phantich")
    client.get("/lang/en")
    status, body = page(client, 1, 1)
    assert status == 422
    assert "The source and target are the same version (#1)" in body
    assert "What to do: Deploy a new version of the process" in body
    assert "Phiên bản nguồn" not in body
