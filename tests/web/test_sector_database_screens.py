"""The sector database on the screens: the procedure form names one (refused when unknown or not
connected here), and the dossier page says where the result was registered (001 §II.1 Bước 5)."""

from __future__ import annotations

import html

import pytest
import requests
from sqlalchemy import select

from app.models import Procedure
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.test_sector_registration import issue_enterprise_result, sector_calls
from tests.web.helpers import login, post
from worker.jobs import deliver_outbox

PAGE = "/catalogs/procedures/2.001610"


def form_of_2001610(**changes: str) -> dict[str, str]:
    """The form 2.001610's page posts, as saved, with `changes`."""
    with db.transaction() as session:
        p = session.scalar(select(Procedure).where(Procedure.code == "2.001610"))
        form = {
            "code": p.code,
            "name": p.name,
            "level": str(p.level),
            "agency_code": p.agency.code,
            "duration_days": str(p.duration_days),
            "duration_unit": p.duration_unit,
            "supplement_clock": p.supplement_clock,
            "result_type_code": p.result_type_code or "",
            "fee_codes": ", ".join(p.fee_codes),
            "sector_database": p.sector_database or "",
            "active": "on",
        }
        for i, c in enumerate(p.components):
            form[f"component-{i}-type_code"] = c["type_code"]
            form[f"component-{i}-name"] = c["name"]
    return {**form, **changes}


def saved_database() -> str | None:
    with db.transaction() as session:
        return session.scalar(select(Procedure.sector_database).where(Procedure.code == "2.001610"))


@pytest.fixture
def analyst(client):
    login(client, "phantich")
    return client


def test_the_procedure_page_offers_the_sector_databases_with_2001610_on_dkkd(analyst):
    page = analyst.get(PAGE).get_data(as_text=True)
    assert '<option value="DKKD" selected>ĐKKD — Cơ sở dữ liệu quốc gia về đăng ký doanh' in page
    # HTĐT has no address in this installation: offered, marked as not connected
    assert "HTĐT — Cơ sở dữ liệu hộ tịch điện tử toàn quốc (chưa kết nối)" in page


def test_a_procedure_naming_an_unknown_sector_database_is_refused_at_save(analyst):
    answer = post(analyst, PAGE, form_of_2001610(sector_database="XYZ"))
    assert answer.status_code == 422
    assert "Không có CSDL chuyên ngành XYZ trong danh mục" in answer.get_data(as_text=True)
    assert saved_database() == "DKKD"


def test_a_procedure_naming_a_database_not_connected_here_is_refused_at_save(analyst):
    answer = post(analyst, PAGE, form_of_2001610(sector_database="HTDT"))
    assert answer.status_code == 422
    page = html.unescape(answer.get_data(as_text=True))
    assert "CSDL chuyên ngành HTĐT chưa được kết nối (thiếu thiết lập SECTOR_DB_HTDT_URL)" in page
    assert saved_database() == "DKKD"


def test_a_procedure_may_stop_naming_a_sector_database_and_name_it_again(analyst):
    assert post(analyst, PAGE, form_of_2001610(sector_database="")).status_code == 302
    assert saved_database() is None
    assert post(analyst, PAGE, form_of_2001610(sector_database="DKKD")).status_code == 302
    assert saved_database() == "DKKD"


def test_the_dossier_page_says_the_result_will_be_registered_in_dkkd(client, actors):
    code = receive_dossier(
        ReceiveDossier("2.001610", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhantc"]
    )
    login(client, "tiepnhantc")
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'data-database="DKKD" data-state="planned"' in page
    assert "sẽ ghi khi phát hành kết quả" in page


@pytest.mark.simulators
def test_the_dossier_page_says_the_result_was_registered_in_dkkd_in_either_language(
    client, actors, business_registry_url
):
    code = issue_enterprise_result(actors)
    [call] = sector_calls(code)
    login(client, "chuyenvientc")
    sending = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'data-state="sending"' in sending

    deliver_outbox(call.id)

    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'data-state="registered"' in page
    assert "đã ghi vào CSDL chuyên ngành ĐKKD" in page
    assert f'href="{business_registry_url}/api/registrations/DKKD-000001"' in page
    assert "Đã ghi kết quả vào CSDL chuyên ngành ĐKKD, số bản ghi DKKD-000001" in page
    english = client.get(f"/dossiers/{code}?lang=en").get_data(as_text=True)
    assert "registered in the sector database DKKD" in english
    assert "ĐKKD" not in english


@pytest.mark.simulators
def test_a_refused_registration_shows_the_databases_reason_on_the_dossier_page(
    client, actors, business_registry_url
):
    code = issue_enterprise_result(actors)
    [call] = sector_calls(code)
    requests.post(
        f"{business_registry_url}/_sim/faults", json={"fail_next": 1, "status": 422}, timeout=5
    ).raise_for_status()
    assert deliver_outbox(call.id) == "incident"
    login(client, "chuyenvientc")

    page = html.unescape(client.get(f"/dossiers/{code}").get_data(as_text=True))

    assert 'data-state="failed"' in page
    assert "HTTP 422 simulated failure 422" in page
    # a processing officer is told who acts; the incidents page is the supervisors'
    assert "giám sát viên sẽ thử lại" in page and "/supervisor/incidents" not in page
