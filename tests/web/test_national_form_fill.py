"""The reception step's form filled from the national databases (001 §II.2.b Bước 4): the
fields tied to master-data codes (001 §IV.1.a) show the population database's data for a
citizen, the enterprise and tax registries' for a business, read-only and marked by source;
changing one needs a reason, recorded with the old and new values; a register that is down
leaves its fields empty and editable with a notice naming it, and reception goes on."""

from __future__ import annotations

import json
import time

import pytest
import requests
from sqlalchemy import event, select

from app import settings
from app.models import AuditEvent, Dossier
from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.dossiers import national_data, tasks
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.services.process_models.deploy import read_bundle
from app.storage.db import db
from config import ROOT
from tests.services.helpers import deliver, open_task
from tests.web.helpers import api_headers, login, post, token

pytestmark = pytest.mark.simulators
RECEPTION = {"components_checked": "on", "original_count": "1", "copy_count": "0"}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def reception_of(actors, id_type: str, owner_id: str, name: str) -> tuple[str, str]:
    code = receive_dossier(ReceiveDossier("2.000488", id_type, owner_id, name), actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    task = open_task(code, "reception")
    tasks.claim_task(task.id, actors["tiepnhan"])
    return code, task.id


@pytest.fixture
def citizen_step(actors) -> tuple[str, str]:
    return reception_of(actors, "cccd", "001090012345", "Nguyễn Văn An")


def events(code: str, kind: str) -> list[dict]:
    with db.transaction() as session:
        return [
            e.data
            for e in session.scalars(
                select(AuditEvent)
                .join(Dossier, Dossier.id == AuditEvent.dossier_id)
                .where(Dossier.code == code, AuditEvent.kind == kind)
            )
        ]


def input_of(page: str, name: str) -> str:
    start = page.index(f'name="{name}"')
    return page[page.rindex("<", 0, start) : page.index(">", start) + 1]


def test_the_citizens_fields_are_filled_from_the_population_database_read_only(
    client, citizen_step
):
    _, task_id = citizen_step
    login(client, "tiepnhan")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Từ CSDL quốc gia về dân cư" in page
    full_name = input_of(page, "owner_full_name")
    assert 'value="Nguyễn Văn An"' in full_name and "readonly" in full_name
    assert 'value="12/05/1990"' in input_of(page, "owner_date_of_birth")
    assert 'value="Việt Nam"' in input_of(page, "owner_nationality")
    assert 'name="owner_full_name__reason"' in page
    assert "readonly" not in input_of(page, "reception_note")


def test_the_filled_values_reach_the_process_when_posted_unchanged_or_left_out(
    client, citizen_step
):
    code, task_id = citizen_step
    login(client, "tiepnhan")
    done = post(client, f"/tasks/{task_id}", {**RECEPTION, "owner_gender": "Nam"})
    assert done.status_code == 302, done.get_data(as_text=True)
    [completed] = events(code, "task_completed")
    assert completed["form"]["owner_full_name"] == "Nguyễn Văn An"
    assert completed["form"]["owner_date_of_birth"] == "1990-05-12"
    assert events(code, "national_data_changed") == []


def test_a_filled_field_changed_without_a_reason_is_refused_on_that_field(client, citizen_step):
    code, task_id = citizen_step
    login(client, "tiepnhan")
    hostile = {**RECEPTION, "owner_full_name": "Nguyễn Văn Bình", "owner_gender": "Nữ"}
    refused = post(client, f"/tasks/{task_id}", hostile, page=f"/tasks/{task_id}")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "«Họ và tên chủ hồ sơ» lấy từ CSDL quốc gia về dân cư: ghi lý do để sửa" in page
    assert "«Giới tính» lấy từ CSDL quốc gia về dân cư: ghi lý do để sửa" in page
    assert events(code, "task_completed") == []


def test_a_blank_reason_is_no_reason(client, citizen_step):
    _, task_id = citizen_step
    login(client, "tiepnhan")
    hostile = {**RECEPTION, "owner_full_name": "X", "owner_full_name__reason": " \t "}
    assert post(client, f"/tasks/{task_id}", hostile).status_code == 422


def test_a_reason_for_a_field_not_tied_to_a_code_is_refused_as_undeclared(client, citizen_step):
    _, task_id = citizen_step
    login(client, "tiepnhan")
    hostile = {**RECEPTION, "reception_note__reason": "sửa", "owner_full_name": "X"}
    assert post(client, f"/tasks/{task_id}", hostile).status_code == 422


def test_a_change_with_a_reason_is_kept_and_recorded_with_old_and_new_values(client, citizen_step):
    code, task_id = citizen_step
    login(client, "tiepnhan")
    changed = {
        **RECEPTION,
        "owner_current_address": "Số 3 Lý Thái Tổ, Phường Hoàn Kiếm, Hà Nội",
        "owner_current_address__reason": "Công dân mới chuyển nơi ở, CSDL chưa cập nhật",
    }
    done = post(client, f"/tasks/{task_id}", changed)
    assert done.status_code == 302, done.get_data(as_text=True)
    [completed] = events(code, "task_completed")
    assert completed["form"]["owner_current_address"].startswith("Số 3 Lý Thái Tổ")
    assert "owner_current_address__reason" not in completed["form"]
    [recorded] = events(code, "national_data_changed")
    assert recorded["changes"] == [
        {
            "field": "owner_current_address",
            "code": "DC0016",
            "source": "population",
            "old": "Số 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội",
            "new": "Số 3 Lý Thái Tổ, Phường Hoàn Kiếm, Hà Nội",
            "reason": "Công dân mới chuyển nơi ở, CSDL chưa cập nhật",
        }
    ]
    history = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Sửa thông tin lấy từ CSDL quốc gia" in history
    assert "Công dân mới chuyển nơi ở, CSDL chưa cập nhật" in history


def test_a_population_database_that_is_down_leaves_the_fields_editable_with_a_notice(
    client, citizen_step, national_url
):
    code, task_id = citizen_step
    down = {"sources": ["population"]}
    requests.post(f"{national_url}/_sim/registers/down", json=down, timeout=5).raise_for_status()
    login(client, "tiepnhan")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Không kết nối được CSDL quốc gia về dân cư" in page
    full_name = input_of(page, "owner_full_name")
    assert "readonly" not in full_name and 'value=""' in full_name
    typed = {**RECEPTION, "owner_full_name": "Nguyễn Văn An (nhập tay)"}
    done = post(client, f"/tasks/{task_id}", typed)
    assert done.status_code == 302, done.get_data(as_text=True)
    [completed] = events(code, "task_completed")
    assert completed["form"]["owner_full_name"] == "Nguyễn Văn An (nhập tay)"


def test_a_business_is_filled_from_the_enterprise_and_tax_registries(client, actors):
    _, task_id = reception_of(actors, "tax_code", "0101243150", "Công ty Cổ phần Minh Phát")
    login(client, "tiepnhan")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Từ CSDL quốc gia về đăng ký doanh nghiệp" in page
    assert 'value="Công ty Cổ phần Minh Phát"' in input_of(page, "owner_full_name")
    assert "Số 25 Láng Hạ" in input_of(page, "owner_permanent_address")
    birth = input_of(page, "owner_date_of_birth")  # no register answers it for a business
    assert "readonly" not in birth


def test_the_enterprise_registry_down_is_named_and_reception_still_works(
    client, actors, national_url
):
    code, task_id = reception_of(actors, "tax_code", "0101243150", "Công ty Cổ phần Minh Phát")
    down = {"sources": ["enterprise"]}
    requests.post(f"{national_url}/_sim/registers/down", json=down, timeout=5).raise_for_status()
    login(client, "tiepnhan")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Không kết nối được CSDL quốc gia về đăng ký doanh nghiệp" in page
    done = post(client, f"/tasks/{task_id}", RECEPTION)
    assert done.status_code == 302, done.get_data(as_text=True)
    assert events(code, "task_completed")


def test_the_form_editor_offers_every_master_data_code_with_its_name(client):
    login(client, "phantich")
    page = client.get("/models/counter_dossier/edit").get_data(as_text=True)
    assert 'id="master-data-picker"' in page
    assert '<option value="DC0011">DC0011 — Ngày sinh</option>' in page
    assert page.count('<option value="DC00') == 18
    assert "js/master_data_picker.js" in page


def test_the_form_preview_shows_the_code_a_field_is_filled_from(client):
    login(client, "phantich")
    schema = {"properties": {"ten": {"type": "string", "title": "Tên", "x-master-data": "DC0010"}}}
    shown = client.post(
        "/models/form-preview",
        data=json.dumps({"schema": json.dumps(schema)}),
        content_type="application/json",
        headers={"X-CSRFToken": token(client, "/models")},
    )
    assert "Lấy từ CSDL quốc gia: DC0010" in shown.get_data(as_text=True)


def test_saving_a_form_with_an_unknown_code_reports_it_on_the_field(client):
    login(client, "phantich")
    files = read_bundle(ROOT / "bpmn")
    form = json.loads(files["forms/reception.schema.json"])
    form["properties"]["owner_gender"]["x-master-data"] = "DC0006"  # not in 001 §IV.1.a
    files["forms/reception.schema.json"] = json.dumps(form)
    checked = client.post(
        "/models/counter_dossier/validate",
        data=json.dumps({"files": files}),
        content_type="application/json",
        headers={"X-CSRFToken": token(client, "/models")},
    )
    [problem] = checked.json["problems"]
    assert problem["file"] == "forms/reception.schema.json"
    assert problem["element_id"] == "owner_gender"


def test_the_api_refuses_a_filled_field_changed_without_a_reason_and_takes_one_with(
    client, citizen_step
):
    code, task_id = citizen_step
    login(client, "tiepnhan")
    body = {"components_checked": True, "original_count": 1, "copy_count": 0}
    url = f"/api/tasks/{task_id}/complete"
    hostile = client.post(url, json={**body, "owner_gender": "Nữ"}, headers=api_headers(client))
    assert hostile.status_code == 422
    assert "owner_gender" in hostile.get_json()["fields"]
    not_text = {**body, "owner_gender": "Nữ", "owner_gender__reason": ["x"]}
    assert client.post(url, json=not_text, headers=api_headers(client)).status_code == 422
    given = {**body, "owner_gender": "Nữ", "owner_gender__reason": "Sai trên CSDL, có xác nhận"}
    assert client.post(url, json=given, headers=api_headers(client)).status_code == 200
    [recorded] = events(code, "national_data_changed")
    assert recorded["changes"][0]["new"] == "Nữ"


def test_a_register_slower_than_the_fill_timeout_counts_as_down_and_the_page_still_comes(
    client, citizen_step, national_url, monkeypatch
):
    _, task_id = citizen_step
    monkeypatch.setattr(settings.current, "NATIONAL_FILL_TIMEOUT", 0.3)
    # the register answers after 4 s: a page that waited for it takes that long; one that gave
    # up after the 0.3 s comes well before, even on a machine the whole suite keeps busy
    slow = {"fail_next": 0, "latency_ms": 4000}
    requests.post(f"{national_url}/_sim/faults", json=slow, timeout=5).raise_for_status()
    login(client, "tiepnhan")
    started = time.monotonic()
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert time.monotonic() - started < 3.0
    assert "Không kết nối được CSDL quốc gia về dân cư" in page
    assert "readonly" not in input_of(page, "owner_full_name")


def test_the_service_asks_the_registers_itself_only_for_a_form_tied_to_them(
    actors, citizen_step, monkeypatch
):
    """A caller that brings no register answers (a bench, a script) gets the same checks: the
    reception form, tied to the population database, is checked against what it says; the
    appraisal's form, tied to no register, asks none and completes in one transaction."""
    code, task_id = citizen_step
    asked = []
    real = national_data.look_up
    monkeypatch.setattr(national_data, "look_up", lambda *a: asked.append(a) or real(*a))
    form = {"components_checked": True, "original_count": 1, "copy_count": 0}
    with pytest.raises(InvalidInput) as refused:
        tasks.complete_task(task_id, actors["tiepnhan"], {**form, "owner_gender": "Nữ"})
    assert "owner_gender" in refused.value.fields
    tasks.complete_task(task_id, actors["tiepnhan"], form)
    [completed] = events(code, "task_completed")
    assert completed["form"]["owner_full_name"] == "Nguyễn Văn An"
    assert len(asked) == 2
    appraisal = open_task(code, "appraisal")
    tasks.claim_task(appraisal.id, actors["chuyenvien"])
    commits = []

    def counted(connection) -> None:  # noqa: ANN001 - SQLAlchemy's Connection
        commits.append(connection)

    event.listen(db.engine, "commit", counted)
    try:
        decision = {"decision": "accept", "appraisal_note": "Đủ điều kiện"}
        tasks.complete_task(appraisal.id, actors["chuyenvien"], decision)
    finally:
        event.remove(db.engine, "commit", counted)
    assert len(asked) == 2
    assert len(commits) == 1
    assert len(events(code, "task_completed")) == 2
