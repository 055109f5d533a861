"""Catalog screens: document types, fees, agencies and procedures, with clear refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Agency, AuditEvent, Procedure
from app.services.catalogs import agency_catalog, fee_catalog
from app.services.catalogs.commands import SaveAgency, SaveFee
from app.services.core.errors import Forbidden, InvalidInput
from app.storage.db import db
from tests.web.helpers import login, post


@pytest.fixture
def analyst(client):
    login(client, "phantich")
    return client


def test_the_seeded_catalogs_hold_the_seven_type_codes_fees_and_procedures(analyst):
    page = analyst.get("/catalogs/document-types").get_data(as_text=True)
    for code in (
        "KQ.G15.000031",
        "KQ.G15.000007",
        "KQ.G15.000008",
        "KQ.G13.000056",
        "KQ.G01.000023",
        "KQ.G04.000062",
        "KQ.G15.000034",
    ):
        assert f'data-code="{code}"' in page
    fees = analyst.get("/catalogs/fees").get_data(as_text=True)
    assert "P196" in fees and "L044" in fees and "10.000" in fees
    procedures = analyst.get("/catalogs/procedures").get_data(as_text=True)
    assert "1.005092" in procedures and "2.000488" in procedures


def test_document_types_and_fees_are_added_and_refused_with_reasons(analyst):
    bad = post(analyst, "/catalogs/document-types", {"code": "abc", "name": ""})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Mã loại giấy tờ dạng" in text and "Tên: bắt buộc" in text
    ok = post(
        analyst,
        "/catalogs/document-types",
        {"code": "KQ.G04.000070", "name": "Giấy đăng ký xe", "active": "on"},
    )
    assert ok.status_code == 302
    assert "KQ.G04.000070" in analyst.get("/catalogs/document-types").get_data(as_text=True)
    fee = post(analyst, "/catalogs/fees", {"code": "P999", "name": "Phí thử", "amount": "-5"})
    assert fee.status_code == 422 and "không âm" in fee.get_data(as_text=True)
    fee = post(
        analyst,
        "/catalogs/fees",
        {"code": "P999", "name": "Phí thử", "amount": "25.000", "active": "on"},
    )
    assert fee.status_code == 302
    assert [f["amount"] for f in fee_catalog.fees() if f["code"] == "P999"] == [25_000]


def test_agencies_are_for_administrators_and_check_units_and_parents(client, actors):
    login(client, "phantich")
    assert post(client, "/catalogs/agencies", {"code": "x"}).status_code == 403
    admin = actors["quantri"]
    with pytest.raises(InvalidInput) as exc:
        agency_catalog.save_agency(
            SaveAgency(
                code="000.00.00.H31",
                name="UBND tỉnh Hưng Yên",
                level=1,
                parent_code="000.00.12.H31",
                admin_unit_code="99",
            ),
            admin,
        )
    assert "vòng lặp" in exc.value.fields["parent_code"]
    assert "Không có đơn vị hành chính" in exc.value.fields["admin_unit_code"]
    code = agency_catalog.save_agency(
        SaveAgency(
            code="000.21.12.H31",
            name="UBND xã Tân Hưng",
            level=3,
            parent_code="000.00.00.H31",
            admin_unit_code="11977",
        ),
        admin,
    )
    [row] = [a for a in agency_catalog.agencies() if a["code"] == code]
    assert row["parent_code"] == "000.00.00.H31" and row["level_label"] == "Xã, phường"
    assert row["admin_unit"].endswith("Hưng Yên")


def test_a_procedure_is_configured_with_components_fees_steps_and_its_model(analyst, actors):
    page = analyst.get("/catalogs/procedures/new")
    assert page.status_code == 200
    form = {
        "code": "1.000695",
        "name": "Cấp Giấy chứng nhận xuất xứ hàng hoá (C/O) ưu đãi mẫu E",
        "level": "4",
        "agency_code": "000.00.12.H31",
        "agency_codes": "000.00.12.H31",
        "duration_days": "8",
        "duration_unit": "working_hours",
        "duration_online_days": "4",
        "supplement_clock": "restart",
        "fee_codes": "P042",
        "result_type_code": "KQ.G10.000001",
        "component-0-type_code": "TK.000001",
        "component-0-name": "Đơn đề nghị cấp C/O",
        "component-0-required": "on",
        "component-1-type_code": "",
        "component-1-name": "",
        "step-0-element_id": "appraisal",
        "step-0-days": "0.5",
        "step-0-officers": "chuyenvien",
        "step-1-element_id": "",
        "model_version_id": "1",
        "result_e_only": "on",
        "active": "on",
        "pay_at_submission": "on",
    }
    bad = post(
        analyst,
        "/catalogs/procedures/new",
        {
            **form,
            "code": "1.0006",
            "fee_codes": "P042, X000",
            "step-0-officers": "nobody",
            "component-0-type_code": "ZZ.000",
            "duration_days": "0",
            "result_type_code": "",
        },
        page="/catalogs/procedures/new",
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for message in (
        "Mã thủ tục trên CSDL quốc gia",
        "Không có mã phí X000",
        "Không có cán bộ nobody",
        "Không có loại giấy tờ «ZZ.000»",
        "Thời hạn giải quyết: số lớn hơn 0",
        # 001 §IV.1: active and bound to a model, it must name a catalogued result type
        "Thủ tục đang áp dụng phải có loại kết quả trong danh mục",
    ):
        assert message in text
    assert 'value="Đơn đề nghị cấp C/O"' in text  # what was typed is kept
    ok = post(analyst, "/catalogs/procedures/new", form, page="/catalogs/procedures/new")
    assert ok.status_code == 302
    with db.transaction() as session:
        saved = session.scalar(select(Procedure).where(Procedure.code == "1.000695"))
        assert saved.components == [
            {"type_code": "TK.000001", "name": "Đơn đề nghị cấp C/O", "required": True}
        ]
        assert (saved.fee_codes, saved.duration_unit, saved.duration_online_days) == (
            ["P042"],
            "working_hours",
            4.0,
        )
        assert saved.step_durations == {"appraisal": 0.5}
        assert saved.result_e_only is True
        assert saved.pay_at_submission is True  # 002 §4.a Bước 1
        assert saved.step_officers == {"appraisal": ["chuyenvien"]}
        assert [a.code for a in saved.agencies] == ["000.00.12.H31"]
        audited = session.scalars(
            select(AuditEvent.data).where(AuditEvent.kind == "catalog_saved")
        ).all()
        assert {"catalog": "procedure", "code": "1.000695", "created": True} in audited
    edit = analyst.get("/catalogs/procedures/1.000695").get_data(as_text=True)
    assert 'value="Đơn đề nghị cấp C/O"' in edit and 'value="chuyenvien"' in edit


def test_officers_cannot_edit_catalogs(client, actors):
    login(client, "tiepnhan")
    assert client.get("/catalogs/procedures").status_code == 403
    with pytest.raises(Forbidden):
        fee_catalog.save_fee(SaveFee(code="P100", name="x", amount=1), actors["tiepnhan"])
    with db.transaction() as session:
        assert session.scalar(select(Agency).where(Agency.code == "000.00.12.H31")).level == 2
