"""A step's answers in words: labelled by the form's titles, choices by their option's title."""

from __future__ import annotations

from app.domain.step_answers import Answer, answers_in_words

SCHEMA = {
    "type": "object",
    "properties": {
        "decision": {
            "title": "Kết quả thẩm định",
            "oneOf": [
                {"const": "accept", "title": "Đủ điều kiện"},
                {"const": "supplement", "title": "Yêu cầu bổ sung"},
            ],
        },
        "checked": {"type": "boolean", "title": "Đã kiểm tra đủ thành phần"},
        "count": {"type": "integer", "title": "Số bản chính"},
        "kind": {"enum": ["a", "b"], "enumNames": ["Loại A", "Loại B"], "title": "Loại"},
        "note": {"type": "string", "title": "Ghi chú"},
    },
    "then": {"properties": {"request": {"title": "Nội dung cần bổ sung"}}},
}


def test_values_are_labelled_by_titles_and_choices_by_their_option_title():
    data = {"note": "ổn", "decision": "accept", "checked": True, "count": 1, "kind": "b"}
    assert answers_in_words(SCHEMA, data) == [
        Answer("decision", "Kết quả thẩm định", "Đủ điều kiện"),
        Answer("checked", "Đã kiểm tra đủ thành phần", True),
        Answer("count", "Số bản chính", "1"),
        Answer("kind", "Loại", "Loại B"),
        Answer("note", "Ghi chú", "ổn"),
    ]


def test_a_field_declared_by_a_condition_is_labelled_too():
    [answer] = answers_in_words(SCHEMA, {"request": "Bản sao CCCD"})
    assert answer.label == "Nội dung cần bổ sung"


def test_empty_answers_are_left_out_and_false_is_kept():
    answers = answers_in_words(SCHEMA, {"note": "  ", "checked": False, "decision": None})
    assert answers == [Answer("checked", "Đã kiểm tra đủ thành phần", False)]


def test_a_value_outside_the_options_is_shown_as_given():
    [answer] = answers_in_words(SCHEMA, {"decision": "other"})
    assert answer.value == "other"
