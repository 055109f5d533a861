"""A state agency as a dossier owner (001 §II.1 Bước 2): its identification code, by the rule of
the agency catalogue (Decision 20/2020/QĐ-TTg, `000.00.12.H31`)."""

from __future__ import annotations

import pytest

from app.domain.identifiers import validate_identifier


def test_001_II_1_step_2_an_agency_identification_code_is_accepted_and_normalised():
    assert validate_identifier("agency_code", " 000.00.15.h31 ").value == "000.00.15.H31"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "000.00.15.H3",
        "000.00.15.H311",
        "00.00.15.H31",
        "000-00-15-H31",
        "000.00.15.31",
        "0101243150",
        "000.00.15.H31; DROP TABLE dossiers",
        "000.00.15.H31\n000.00.16.H31",
        "٠٠٠.٠٠.١٥.H31",  # Arabic-Indic digits match `\d`, not the code rule
        "000.00.15.Ｈ31",  # a full-width letter
    ],
)
def test_anything_but_an_agency_code_is_refused_with_the_rule_in_the_message(value):
    with pytest.raises(ValueError, match="000.00.12.H31"):
        validate_identifier("agency_code", value)
