"""Which agencies an online applicant may choose (002 §5.a Bước 1) and in what order: the
commune named in the portal profile's address comes first, matched as a whole part of the
address, never as a prefix of another commune's name."""

from __future__ import annotations

import pytest

from app.models import Agency, Procedure
from app.services.core.errors import InvalidInput
from app.services.dossiers import performers


def _procedure(*agencies: Agency) -> Procedure:
    procedure = Procedure(code="1.005092", name="Cấp bản sao")
    procedure.agency, procedure.agencies = agencies[0], list(agencies[1:])
    return procedure


SO = Agency(id=1, code="000.00.12.H31", name="Sở Tư pháp tỉnh Hưng Yên", level=2, active=True)
XA = Agency(id=2, code="000.21.33.H31", name="UBND xã Tân Hưng", level=3, active=True)


@pytest.mark.parametrize(
    ("address", "first"),
    [
        ("Thôn Đông, Xã Tân Hưng, tỉnh Hưng Yên", XA.code),
        ("thôn đông,  xã   tân hưng ,Hưng Yên", XA.code),
        ("Thôn Đông, xã Tân Hưng Mới, tỉnh Hưng Yên", SO.code),  # another commune
        ("Số 5 đường xã Tân Hưng", SO.code),  # a street named after it
        ("", SO.code),
        (None, SO.code),
    ],
)
def test_002_5a_buoc_1_the_applicants_commune_comes_first_only_when_the_address_names_it(
    address, first
):
    listed = performers.choices(_procedure(SO, XA), address)
    assert [p.code for p in listed][0] == first and len(listed) == 2
    assert [p.home for p in listed].count(True) == (1 if first == XA.code else 0)


def test_an_agency_listed_twice_or_inactive_is_offered_once_or_not_at_all():
    closed = Agency(id=3, code="000.22.33.H31", name="UBND xã Cũ", level=3, active=False)
    assert [a.code for a in performers.performing(_procedure(SO, SO, XA, closed))] == [
        SO.code,
        XA.code,
    ]
    with pytest.raises(InvalidInput) as refused:
        performers.chosen(_procedure(SO, XA, closed), closed.code)
    assert "ngừng hoạt động" in refused.value.fields["agency"]


def test_a_single_performer_is_taken_without_a_choice_and_several_need_one():
    assert performers.chosen(_procedure(SO), "") is SO
    assert performers.chosen(_procedure(SO, XA), f" {XA.code} ") is XA
    with pytest.raises(InvalidInput) as refused:
        performers.chosen(_procedure(SO, XA), "")
    assert "chọn một cơ quan" in refused.value.fields["agency"]
