"""Pure domain rules: codes, identifiers, statuses and roles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain.codes import dossier_code, is_agency_code, parse_dossier_code
from app.domain.identifiers import validate_identifier
from app.domain.roles import role_for_lane
from app.domain.status import DossierStatus, parse_status, portal_time


def test_dossier_code_is_agency_day_and_four_digit_sequence():
    assert dossier_code("000.00.12.H31", date(2026, 11, 24), 7) == "000.00.12.H31-261124-0007"
    assert parse_dossier_code("000.00.12.H31-261124-0007") == ("000.00.12.H31", "261124", 7)
    assert parse_dossier_code("not-a-code") is None


@pytest.mark.parametrize("sequence", [0, 10_000])
def test_dossier_sequence_outside_1_to_9999_is_refused(sequence):
    with pytest.raises(ValueError):
        dossier_code("000.00.12.H31", date(2026, 11, 24), sequence)


def test_agency_codes_have_four_levels():
    assert is_agency_code("000.00.01.H22") and is_agency_code("000.00.00.G15")
    assert not is_agency_code("H22") and not is_agency_code("000.00.01.22")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("cccd", "001090012345"),
        ("cmnd", "123456789"),
        ("passport", "b1234567"),
        ("tax_code", "0101243150"),
        ("tax_code", "0101243150-001"),
    ],
)
def test_valid_identifiers_are_accepted_and_normalised(kind, value):
    assert validate_identifier(kind, f" {value} ").value == value.upper()


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        ("cccd", "00109001234", "12 chữ số"),
        ("cccd", "999090012345", "Mã tỉnh"),
        ("cmnd", "12345678a", "9 chữ số"),
        ("passport", "12345678", "hộ chiếu"),
        ("tax_code", "0101243151", "Mã số thuế"),
        ("email", "x", "không hỗ trợ"),
    ],
)
def test_invalid_identifiers_say_what_is_wrong(kind, value, fragment):
    with pytest.raises(ValueError, match=fragment):
        validate_identifier(kind, value)


def test_status_codes_match_the_portal_list():
    assert [s.value for s in DossierStatus] == list(range(1, 11))
    assert DossierStatus(5).label_vi == "Yêu cầu bổ sung giấy tờ"
    assert DossierStatus.RETURNED.is_final and not DossierStatus.PROCESSING.is_final
    assert parse_status("9") is DossierStatus.PROCESSED
    with pytest.raises(ValueError):
        parse_status("11")


def test_portal_times_are_vietnam_local_yyyymmddhhmmss():
    assert portal_time(datetime(2026, 11, 24, 17, 30, 5, tzinfo=UTC)) == "20261125003005"


def test_lanes_name_roles_by_code_or_vietnamese_label():
    assert role_for_lane("Cán bộ một cửa") == "reception"
    assert role_for_lane("lãnh đạo") == "leader"
    assert role_for_lane("processing") == "processing"
    assert role_for_lane("Hệ thống") is None and role_for_lane(None) is None
