"""Whose document it is: identifier, name and birth date compared with the dossier's owner."""

from __future__ import annotations

import unicodedata

from app.domain.document_owner import Person, differences, fingerprint, normal_date, normal_name

AN = Person("001090012345", "Nguyễn Văn An", "1990-05-12")


def test_the_same_person_written_differently_is_no_difference():
    decomposed = unicodedata.normalize("NFD", "NGUYỄN  văn   AN")
    same = Person(" 001.090.012-345 ", decomposed, "12/05/1990")
    assert differences(AN, same) == {}


def test_each_field_that_differs_is_named_with_both_values():
    other = Person("079095000123", "Nguyễn Thị Hồng Nhung", "1995-07-21")
    assert differences(AN, other) == {
        "owner_id": {"label": "Số định danh", "expected": "001090012345", "found": "079095000123"},
        "full_name": {
            "label": "Họ tên",
            "expected": "Nguyễn Văn An",
            "found": "Nguyễn Thị Hồng Nhung",
        },
        "birth_date": {"label": "Ngày sinh", "expected": "1990-05-12", "found": "1995-07-21"},
    }


def test_identifier_alone_differs():
    assert set(differences(AN, Person("001090012346", "Nguyễn Văn An", "1990-05-12"))) == {
        "owner_id"
    }


def test_birth_date_alone_differs():
    assert set(differences(AN, Person("001090012345", "Nguyễn Văn An", "1990-02-03"))) == {
        "birth_date"
    }


def test_diacritics_matter_in_names():
    assert set(differences(AN, Person("001090012345", "Nguyễn Văn Ân"))) == {"full_name"}
    assert set(differences(AN, Person("001090012345", "Nguyen Van An"))) == {"full_name"}


def test_a_value_the_document_does_not_carry_is_not_compared():
    assert differences(AN, Person("001090012345", "", "")) == {}
    assert differences(Person("001090012345", "Nguyễn Văn An"), AN) == {}


def test_names_normalise_and_dates_read_in_the_usual_forms():
    assert normal_name("  Lê\tThị  MAI ") == "lê thị mai"
    assert normal_date("03/02/1990") == normal_date("1990-02-03") == "1990-02-03"
    assert normal_date("not a date ") == "not a date"


def test_the_override_fingerprint_binds_document_and_differences():
    diff = differences(AN, Person("079095000123", "Nguyễn Thị Hồng Nhung"))
    assert fingerprint("NAT-1", diff) == fingerprint("NAT-1", dict(diff))
    assert fingerprint("NAT-1", diff) != fingerprint("NAT-2", diff)
    assert fingerprint("NAT-1", diff) != fingerprint("NAT-1", {})
