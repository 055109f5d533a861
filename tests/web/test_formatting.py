"""Dates, numbers and holiday names on screen: dd/mm/yyyy and 1.234.567 in Vietnamese, an
unambiguous English form in English; a typed day is dd/mm/yyyy or ISO, anything else is refused
with a message on its field."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from app.domain.holiday_names import holiday_names
from app.services.core.errors import InvalidInput
from app.web import formatting, forms, history, i18n

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app() -> Flask:
    application = Flask(__name__, template_folder=str(ROOT / "templates"))
    application.config["SECRET_KEY"] = "test"
    i18n.init_app(application)
    formatting.init_app(application)
    return application


@pytest.fixture
def reading(app: Flask):  # noqa: ANN201
    """`with reading("en"):` runs its body inside a request in that language."""

    @contextmanager
    def in_language(lang: str) -> Iterator[None]:
        with app.test_request_context(f"/?lang={lang}"):
            yield

    return in_language


MOMENT = datetime(2026, 8, 22, 7, 30, tzinfo=UTC)  # 14:30 in Vietnam


def test_vietnamese_dates_read_day_month_year(reading):
    with reading("vi"):
        assert formatting.day(date(2026, 8, 2)) == "02/08/2026"
        assert formatting.local_time(MOMENT) == "22/08/2026 14:30"
        assert formatting.day(MOMENT) == "22/08/2026"


def test_english_dates_cannot_be_read_month_first(reading):
    with reading("en"):
        assert formatting.day(date(2026, 8, 2)) == "2 Aug 2026"
        assert formatting.local_time(MOMENT) == "22 Aug 2026, 14:30"


def test_an_explicit_pattern_is_kept_in_both_languages(reading):
    for lang in ("vi", "en"):
        with reading(lang):
            assert formatting.local_time(MOMENT, "%d/%m/%Y %H:%M:%S") == "22/08/2026 14:30:00"


def test_nothing_to_show_is_empty(reading):
    with reading("vi"):
        assert formatting.day(None) == formatting.local_time(None) == formatting.number(None) == ""


def test_numbers_take_the_reader_separators(reading):
    with reading("vi"):
        assert formatting.number(1234567) == "1.234.567"
        assert formatting.number(1234.5) == "1.234,5"
        assert formatting.money(50000) == "50.000 đ"
    with reading("en"):
        assert formatting.number(1234567) == "1,234,567"
        assert formatting.money(50000) == "50,000 VND"


def test_a_fee_in_the_processing_history_takes_the_reader_separators(reading):
    event = {"kind": "fee_paid", "data": {"amount": 1200000}}
    with reading("vi"):
        assert history.describe(event) == "Công dân nộp phí trên Cổng DVCQG: 1.200.000 đ"
    with reading("en"):
        english = history.describe(event)
    assert english == "Citizen paid the fee on the national portal: 1,200,000 VND"


def test_percentages_take_the_reader_decimal_mark(reading):
    with reading("vi"):
        assert (formatting.percent(0.6667), formatting.percent(None)) == ("66,7 %", "—")
    with reading("en"):
        assert formatting.percent(0.6667) == "66.7 %"


def test_weekdays_are_named_in_the_reader_language(reading):
    saturday, sunday = date(2026, 8, 22), date(2026, 8, 23)
    with reading("vi"):
        assert (formatting.weekday(saturday), formatting.weekday(sunday)) == ("T7", "CN")
    with reading("en"):
        assert (formatting.weekday(saturday), formatting.weekday(sunday)) == ("Sat", "Sun")


def test_holiday_names_follow_the_reader_language(reading):
    names = holiday_names(2026)
    with reading("vi"):
        assert formatting.holiday_name(names[date(2026, 2, 17)]) == "Tết Nguyên Đán"
        assert formatting.holiday_name(names[date(2026, 8, 31)]) == "Nghỉ bù cho ngày 22/08/2026"
    with reading("en"):
        assert formatting.holiday_name(names[date(2026, 4, 26)]) == "Hung Kings' Commemoration Day"
        assert formatting.holiday_name(names[date(2026, 8, 31)]) == "Day off in lieu of 22 Aug 2026"


def test_an_administrator_note_is_shown_as_written(reading):
    with reading("en"):
        assert formatting.holiday_name("Nghỉ đột xuất") == "Nghỉ đột xuất"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22/08/2026", date(2026, 8, 22)),
        ("2/8/2026", date(2026, 8, 2)),
        (" 29/02/2028 ", date(2028, 2, 29)),
        ("2026-08-22", date(2026, 8, 22)),
    ],
)
def test_a_typed_day_is_day_month_year_or_iso(typed, expected):
    assert formatting.parse_day(typed, "day") == expected


@pytest.mark.parametrize(
    "typed",
    [
        "31/02/2026",
        "2026-13-01",
        "abc",
        "9" * 10_000,
        "",
        None,
        "08/22/2026",
        "2026-8-22",
        "22/08/26",
        "22.08.2026",
        "22/08/2026x",
        "٢٢/٠٨/٢٠٢٦",
        "29/02/2026",
    ],
)
def test_anything_else_is_refused_on_its_field(reading, typed):
    with reading("vi"), pytest.raises(InvalidInput) as refused:
        formatting.parse_day(typed, "day")
    assert "dd/mm/yyyy" in refused.value.fields["day"]


def test_a_typed_moment_is_read_in_vietnam_time():
    expected = datetime(2025, 7, 1, 0, 0, tzinfo=formatting.VN_TZ)
    assert formatting.parse_moment("01/07/2025 00:00", "at") == expected
    assert formatting.parse_moment("01/07/2025", "at") == expected
    assert formatting.parse_moment("2025-07-01T00:00", "at") == expected


@pytest.mark.parametrize("typed", ["01/07/2025 24:00", "01/07/2025 9:75", "tomorrow", "1" * 5000])
def test_an_impossible_moment_is_refused_on_its_field(reading, typed):
    with reading("vi"), pytest.raises(InvalidInput) as refused:
        formatting.parse_moment(typed, "at")
    assert "dd/mm/yyyy HH:MM" in refused.value.fields["at"]


def test_date_inputs_show_what_they_accept(app, reading):
    template = app.jinja_env.from_string(
        '{% from "_date_input.html" import date_input %}{{ date_input("day", value) }}'
    )
    with reading("vi"):
        html = template.render(value=date(2026, 8, 2))
    assert 'value="02/08/2026"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert 'type="text"' in html


BORN = {"properties": {"born": {"title": "Ngày sinh", "type": "string", "format": "date"}}}


def test_a_form_date_is_typed_day_month_year_and_kept_as_iso(reading):
    with reading("vi"):
        assert forms.parse(BORN, MultiDict({"born": "04/03/1995"})) == ({"born": "1995-03-04"}, {})
        assert forms.parse(BORN, MultiDict({"born": "1995-03-04"}))[0] == {"born": "1995-03-04"}
        data, errors = forms.parse(BORN, MultiDict({"born": "31/02/1995"}))
    assert "born" not in data and "dd/mm/yyyy" in errors["born"]


def test_a_form_date_is_shown_day_month_year(app, reading):
    template = app.jinja_env.from_string(
        '{% from "_field.html" import field %}{% for f in shown %}{{ field(f) }}{% endfor %}'
    )
    with reading("vi"):
        html = template.render(shown=forms.fields(BORN, {"born": "1995-03-04"}))
        typed_back = template.render(shown=forms.fields(BORN, {"born": "31/02/1995"}))
    assert 'value="04/03/1995"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert 'type="date"' not in html
    assert 'value="31/02/1995"' in typed_back  # a refused entry comes back as typed
