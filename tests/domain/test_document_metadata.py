"""The six mandatory metadata fields of every stored document (001 §II.2.c "Một số yêu cầu")."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.document_metadata import (
    SixFieldsError,
    add_months,
    check_six,
    describe,
    from_source,
    missing,
    validity_of,
    wire,
)

TODAY = date(2026, 6, 1)
SIX = {
    "type_code": "KQ.G15.000007",
    "owner_id_type": "cccd",
    "owner_id": "079095000123",
    "owner_name": "Trần Thị Bình",
    "name": "Phiếu lý lịch tư pháp số 1",
    "summary": "Phiếu LLTP số 1 cấp cho Trần Thị Bình: không có án tích",
    "validity": "until",
    "valid_from": "01/06/2026",
    "valid_until": "01/12/2026",
    "validity_scope": "national",
}
# 001 §II.2.c (2): "trường hợp cá nhân không có CCCD thì phải bổ sung họ tên, năm sinh, ngày
# cấp, cơ quan cấp"
PASSPORT_OWNER = {
    **SIX,
    "owner_id_type": "passport",
    "owner_id": "C1234567",
    "owner_birth_year": "1985",
    "owner_id_issued_on": "10/02/2020",
    "owner_id_issuer": "Cục Quản lý xuất nhập cảnh",
}


def errors_of(values: dict) -> dict[str, str]:
    with pytest.raises(SixFieldsError) as exc:
        check_six(values, TODAY)
    return exc.value.errors


def test_the_six_fields_are_kept_normalised():
    six = check_six({**SIX, "summary": "  Phiếu   LLTP  "}, TODAY)
    assert six.summary == "Phiếu LLTP"
    assert (six.valid_from, six.valid_until) == (date(2026, 6, 1), date(2026, 12, 1))
    assert six.owner_birth_year is None and six.columns()["owner_id_issuer"] is None


@pytest.mark.parametrize(
    "key", ["type_code", "owner_id", "owner_name", "name", "summary", "validity_scope"]
)
def test_001_II_2_c_each_of_the_six_fields_is_mandatory(key):
    assert key in errors_of({**SIX, key: "   "})


def test_001_II_2_c_5_validity_must_be_chosen_an_end_day_or_explicitly_none():
    assert "validity" in errors_of({**SIX, "validity": ""})
    assert "valid_until" in errors_of({**SIX, "valid_until": ""})
    indefinite = check_six({**SIX, "validity": "indefinite"}, TODAY)
    assert indefinite.validity == "indefinite" and indefinite.valid_until is None


def test_a_validity_ending_before_it_starts_is_refused():
    assert "sau ngày bắt đầu" in errors_of({**SIX, "valid_until": "31/05/2026"})["valid_until"]
    assert "valid_until" in errors_of({**SIX, "valid_until": "01/06/2026"})
    assert "valid_until" in errors_of({**SIX, "valid_until": "31/02/2027"})


def test_an_over_long_summary_is_refused():
    assert "2000" in errors_of({**SIX, "summary": "a" * 2001})["summary"]
    assert check_six({**SIX, "summary": "a" * 2000}, TODAY).summary == "a" * 2000


@pytest.mark.parametrize("scope", ["toàn quốc", "National", "world", "national;DROP", "1"])
def test_a_scope_outside_the_allowed_values_is_refused(scope):
    assert "validity_scope" in errors_of({**SIX, "validity_scope": scope})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("summary", "<script>alert(1)</script>"),
        ("summary", "Xem <img src=x onerror=alert(1)>"),
        ("summary", "a </b> b"),
        ("summary", "<!-- x -->"),
        ("summary", "&lt;b&gt;"),
        ("summary", "&#60;script"),
        ("name", "<b>Phiếu</b>"),
        ("owner_name", "Bình<svg/onload=alert(1)>"),
        ("summary", "Tab\x00null"),
    ],
)
def test_markup_and_control_characters_are_refused(key, value):
    assert key in errors_of({**SIX, key: value})


def test_comparisons_in_words_are_not_markup():
    six = check_six({**SIX, "summary": "Diện tích < 5 m2 & > 2 m2; a<5"}, TODAY)
    assert six.summary == "Diện tích < 5 m2 & > 2 m2; a<5"


def test_001_II_2_c_2_an_owner_without_a_cccd_carries_birth_year_issue_date_and_issuer():
    six = check_six(PASSPORT_OWNER, TODAY)
    assert (six.owner_birth_year, six.owner_id_issued_on, six.owner_id_issuer) == (
        1985,
        date(2020, 2, 10),
        "Cục Quản lý xuất nhập cảnh",
    )
    for key in ("owner_birth_year", "owner_id_issued_on", "owner_id_issuer"):
        assert "không có CCCD" in errors_of({**PASSPORT_OWNER, key: ""})[key]
    cmnd = {**PASSPORT_OWNER, "owner_id_type": "cmnd", "owner_id_issuer": ""}
    assert "owner_id_issuer" in errors_of(cmnd)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"owner_birth_year": "1899"}, "owner_birth_year"),
        ({"owner_birth_year": "2027"}, "owner_birth_year"),
        ({"owner_birth_year": "19a5"}, "owner_birth_year"),
        ({"owner_birth_year": "9" * 5000}, "owner_birth_year"),
        ({"owner_birth_year": "１９８５"}, "owner_birth_year"),
        ({"owner_birth_year": "198²"}, "owner_birth_year"),
        ({"owner_id_issued_on": "9" * 5000}, "owner_id_issued_on"),
        ({"owner_id_issued_on": "02/06/2026"}, "owner_id_issued_on"),  # in the future
        ({"owner_id_issued_on": "01/01/1980"}, "owner_id_issued_on"),  # before birth
        ({"owner_id_issuer": "<i>CA</i>"}, "owner_id_issuer"),
    ],
)
def test_the_owners_details_are_checked(change, key):
    assert key in errors_of({**PASSPORT_OWNER, **change})


def test_missing_names_what_a_stored_record_lacks_in_the_order_of_the_rule():
    complete = {**SIX, "validity": "indefinite", "valid_until": None}
    assert missing(complete) == []
    legacy = {**SIX, "summary": "", "validity": None, "validity_scope": "Toàn quốc"}
    assert missing(legacy) == ["summary", "validity", "validity_scope"]
    assert missing({**SIX, "valid_until": None}) == ["validity"]
    assert missing({**PASSPORT_OWNER, "owner_id_issuer": None}) == ["owner_id_issuer"]


def test_wire_sends_iso_days_and_the_owner_details_only_without_a_cccd():
    sent = wire({**SIX, "valid_from": date(2026, 6, 1), "valid_until": date(2026, 12, 1)})
    assert (sent["valid_from"], sent["valid_until"]) == ("2026-06-01", "2026-12-01")
    assert "owner_birth_year" not in sent
    passport = wire({**PASSPORT_OWNER, "owner_id_issued_on": date(2020, 2, 10)})
    assert passport["owner_id_issued_on"] == "2020-02-10"


def test_a_procedures_result_validity_counts_whole_months():
    assert validity_of(6, date(2026, 8, 31)) == ("until", date(2027, 2, 28))
    assert validity_of(None, date(2026, 8, 31)) == ("indefinite", None)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_a_summary_is_drawn_from_the_documents_own_data():
    fields = {"document_number": "123", "issued_on": "2021-03-15", "issuer": "UBND xã A"}
    assert describe("Giấy khai sinh", fields) == (
        "Giấy khai sinh số 123 cấp ngày 15/03/2021 do UBND xã A cấp"
    )
    assert describe("Giấy khai sinh", {"issued_on": "not a day"}) == "Giấy khai sinh"


def test_001_II_1_step_3_a_reused_document_keeps_the_sources_six_fields():
    record = {
        "id": "DOC-000001",
        "type_code": "KQ.G15.000031",
        "owner_id": "001090012345",
        "owner_id_type": "cccd",
        "owner_name": "Nguyễn Văn An",
        "name": "Giấy khai sinh",
        "summary": "Giấy khai sinh của Nguyễn Văn An",
        "validity": "indefinite",
        "valid_until": "2030-01-01",  # contradicts "indefinite": the explicit choice wins
        "validity_scope": "national",
    }
    six = from_source(record, {})
    assert missing(six) == [] and six["valid_until"] is None
    assert six["summary"] == "Giấy khai sinh của Nguyễn Văn An"


def test_a_reused_national_record_takes_the_owner_from_the_dossier_and_assumes_no_validity():
    record = {
        "type_code": "KQ.G15.000031",
        "name": "Giấy khai sinh",
        "full_name": "Nguyễn Văn An",
        "fields": {"document_number": "12/2000", "issuer": "UBND phường Hàng Bạc"},
        "validity_scope": "everywhere",
    }
    owner = {"owner_id_type": "cccd", "owner_id": "001090012345", "owner_name": "X"}
    six = from_source(record, owner)
    assert (six["owner_id"], six["owner_name"]) == ("001090012345", "Nguyễn Văn An")
    assert six["summary"] == "Giấy khai sinh số 12/2000 do UBND phường Hàng Bạc cấp"
    assert missing(six) == ["validity", "validity_scope"]
