"""The result template's rules (001 §II.2.b Bước 5): what a template may say and what the
officer's values must be."""

from __future__ import annotations

import pytest

from app.domain.result_templates import (
    check_values,
    defaults,
    fill,
    fills_result,
    parse_template,
    placeholders,
)

TEMPLATE = {
    "title": "Quyết định",
    "fields": [
        {
            "name": "ho_ten",
            "label": "Họ và tên",
            "type": "text",
            "required": True,
            "default": "{owner_name}",
        },
        {"name": "ngay", "label": "Ngày", "type": "date", "required": False},
        {"name": "so_tien", "label": "Số tiền", "type": "number", "required": False},
        {"name": "noi_dung", "label": "Nội dung", "type": "long_text", "required": True},
    ],
    "body": "Cấp cho {ho_ten} ({owner_id}) ngày {ngay}: {noi_dung} — {so_tien} đồng",
}


def template():
    parsed, errors = parse_template(TEMPLATE)
    assert errors == {}
    return parsed


def test_a_body_may_name_its_fields_and_the_dossier_facts():
    assert placeholders(TEMPLATE["body"]) == ["ho_ten", "owner_id", "ngay", "noi_dung", "so_tien"]
    assert template().signer_title == "THỦ TRƯỞNG CƠ QUAN"


def test_an_unknown_placeholder_is_located_at_the_body():
    _, errors = parse_template({**TEMPLATE, "body": "Cấp cho {ho_tenn}"})
    assert list(errors) == ["body"]
    message, params = errors["body"]
    assert params == {"name": "ho_tenn"} and "%(name)s" in message


def test_duplicate_names_bad_types_and_bad_names_are_located_at_their_row():
    rows = [
        {"name": "ho_ten", "label": "A"},
        {"name": "ho_ten", "label": "B"},
        {"name": "x", "label": "C", "type": "html"},
        {"name": "Họ tên", "label": "D"},
        {"name": "owner_name", "label": "E"},
        {"name": "ok", "label": ""},
    ]
    _, errors = parse_template({**TEMPLATE, "fields": rows, "body": "{ho_ten}"})
    assert set(errors) == {
        "field-1-name",
        "field-2-type",
        "field-3-name",
        "field-4-name",
        "field-5-label",
    }


def test_a_posted_row_keeps_its_own_index_when_blank_rows_were_dropped():
    rows = [{"row": 4, "name": "1abc", "label": "A"}]
    _, errors = parse_template({**TEMPLATE, "fields": rows, "body": "x"})
    assert list(errors) == ["field-4-name"]


def test_values_are_checked_by_type_and_length_and_unknown_names_refused():
    values, errors = check_values(
        template(),
        {
            "ho_ten": "",
            "ngay": "31/02/2026",
            "so_tien": "12a",
            "noi_dung": "x" * 5001,
            "extra": "1",
        },
    )
    assert set(errors) == {"ho_ten", "ngay", "so_tien", "noi_dung", "extra"}


def test_good_values_are_normalised():
    values, errors = check_values(
        template(),
        {
            "ho_ten": " Nguyễn\nVăn  An ",
            "ngay": "2026-12-01",
            "so_tien": "5000000",
            "noi_dung": "Dòng 1\r\nDòng 2",
        },
    )
    assert errors == {}
    assert values == {
        "ho_ten": "Nguyễn Văn An",
        "ngay": "01/12/2026",
        "so_tien": "5000000",
        "noi_dung": "Dòng 1\nDòng 2",
    }


def test_defaults_fill_the_dossier_facts_and_the_body_takes_the_values():
    facts = {"owner_name": "Nguyễn Văn An", "owner_id": "001090012345"}
    assert defaults(template(), facts)["ho_ten"] == "Nguyễn Văn An"
    text = fill(
        TEMPLATE["body"],
        {**facts, "ho_ten": "An", "ngay": "01/12/2026", "noi_dung": "{owner_id}", "so_tien": "1"},
    )
    # a value is never filled again: a placeholder typed into a value stays as typed
    assert text == "Cấp cho An (001090012345) ngày 01/12/2026: {owner_id} — 1 đồng"


def test_the_appraisal_or_a_marked_step_fills_the_result():
    assert fills_result("appraisal", None)
    assert fills_result("tham_dinh", {"x-result-fill": True})
    assert not fills_result("approval", {"title": "Phê duyệt"})


@pytest.mark.parametrize("title", ["<b>Quyết định</b>", "Quyết định &amp; cấp", "Cấp cho {ho_ten}"])
def test_a_title_is_the_same_plain_text_for_every_dossier(title):
    """It becomes the stored document's name, which Kho DL keeps free of markup (001 §II.2.c)."""
    _, errors = parse_template({**TEMPLATE, "title": title})
    assert list(errors) == ["title"]
