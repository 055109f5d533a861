"""Document metadata, storage keys and page orders (pure rules)."""

from __future__ import annotations

import pytest

from app.domain.documents import (
    DOCUMENT_TYPES,
    MetadataError,
    on_demand_fee,
    parse_page_order,
    storage_key,
    validate_metadata,
)
from app.domain.identifiers import validate_identifier

GOOD = {
    "type_code": "KQ.G04.000062",
    "owner_id_type": "cccd",
    "owner_id": " 079095000123 ",
    "owner_name": "Lê   Văn Bình",
    "name": "Giấy phép lái xe",
    "summary": "Giấy phép lái xe hạng B2 của Lê Văn Bình",
    "validity": "until",
    "valid_from": "01/05/2021",
    "valid_until": "2031-05-01",
    "validity_scope": "national",
    "field_document_number": "790123456789",
    "field_issued_on": "01/05/2021",
    "field_issuer": "Sở GTVT TP. Hồ Chí Minh",
    "field_licence_class": "B2",
}


def test_the_seven_document_type_codes_are_known():
    for code in (
        "KQ.G15.000031",
        "KQ.G15.000007",
        "KQ.G15.000008",
        "KQ.G13.000056",
        "KQ.G01.000023",
        "KQ.G04.000062",
        "KQ.G15.000034",
    ):
        assert code in DOCUMENT_TYPES


def test_valid_metadata_is_normalised():
    meta = validate_metadata(GOOD)
    assert meta.six.owner_id == "079095000123" and meta.six.owner_name == "Lê Văn Bình"
    assert meta.fields["issued_on"] == "2021-05-01" and meta.fields["licence_class"] == "B2"
    assert meta.six.valid_until.isoformat() == "2031-05-01"
    assert meta.as_dict()["valid_until"] == "2031-05-01"


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"type_code": "XX"}, "type_code", "danh mục"),
        ({"owner_id": "12345"}, "owner_id", "12 chữ số"),
        ({"owner_id": "000095000123"}, "owner_id", "Mã tỉnh"),
        ({"owner_id_type": "tax_code", "owner_id": "0101243151"}, "owner_id", "Mã số thuế"),
        ({"owner_name": "A"}, "owner_name", "bắt buộc"),
        ({"field_licence_class": "Z9"}, "field_licence_class", "định dạng"),
        ({"field_issuer": ""}, "field_issuer", "bắt buộc"),
        ({"field_issued_on": "30/02/2021"}, "field_issued_on", "Ngày không hợp lệ"),
        ({"valid_until": "01/01/2020", "valid_from": ""}, "valid_until", "sau ngày cấp"),
    ],
)
def test_each_wrong_field_gets_its_own_message(change, field, fragment):
    with pytest.raises(MetadataError) as exc:
        validate_metadata({**GOOD, **change})
    assert fragment in exc.value.errors[field]


def test_storage_key_is_owner_dot_type_with_a_counter_for_repeats():
    assert storage_key("001090012345", "KQ.G15.000031") == "001090012345.KQ.G15.000031"
    assert storage_key("001090012345", "KQ.G15.000031", 2) == "001090012345.KQ.G15.000031.2"


def test_page_orders():
    assert parse_page_order("", 3) == [0, 1, 2]
    assert parse_page_order("3, 1-2", 3) == [2, 0, 1]
    assert parse_page_order("3-1", 3) == [2, 1, 0]
    for spec, fragment in (("a", "không hợp lệ"), ("1,2", "thiếu trang"), ("1,1,2,3", "lặp")):
        with pytest.raises(ValueError, match=fragment):
            parse_page_order(spec, 3)


def test_on_demand_fee_counts_pages():
    assert on_demand_fee(1) == 10_000 and on_demand_fee(3) == 14_000


def test_tax_codes_go_through_stdnum_and_branches_are_normalised():
    assert validate_identifier("tax_code", "0101243150001").value == "0101243150-001"
    with pytest.raises(ValueError):
        validate_identifier("tax_code", "0101243150-00")
