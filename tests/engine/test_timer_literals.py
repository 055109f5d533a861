"""What validates runs, for timers: an ISO 8601 literal as other BPMN tools write it (quoted or
not) validates AND fires; an expression still works; a literal that is not ISO 8601 and not a
valid expression is a located validation problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.engine import ProcessRun, parse_bundle
from tests.engine.test_validation import HEAD, chain, model, problems

START = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def at_start(clock) -> None:
    clock.set(START)


def catch(kind: str, text: str) -> dict[str, str]:
    timer = (
        f'<bpmn:intermediateCatchEvent id="t" name="Chờ"><bpmn:timerEventDefinition>'
        f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{kind}>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )
    return model(chain(timer))


def fires_at(files: dict[str, str], data: dict | None = None) -> datetime:
    """Validates, starts, and returns the moment the timer fires (checked on either side)."""
    assert problems(files) == []
    run, changes = ProcessRun.start(parse_bundle(files, "p"), data or {})
    assert not changes.finished
    due = run.next_timer_at()
    assert due is not None
    return due


def fire(run: ProcessRun, clock, at: datetime) -> bool:
    clock.set(at)
    return run.fire_timers().finished


@pytest.mark.parametrize(
    ("kind", "text", "after"),
    [
        ("timeDuration", "PT1H", timedelta(hours=1)),
        ("timeDuration", '"PT1H"', timedelta(hours=1)),
        ("timeDuration", "'PT1H'", timedelta(hours=1)),
        ("timeDuration", " P7D ", timedelta(days=7)),
        ("timeDuration", "P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        ("timeDuration", "PT1.5H", timedelta(minutes=90)),
        ("timeDuration", "P2W", timedelta(days=14)),
        ("timeDate", "2026-03-07T08:00:00+07:00", timedelta(hours=17)),
        ("timeDate", '"2026-03-06T09:00:00Z"', timedelta(hours=1)),
        # without an offset a date is the office's time (Vietnam), never the server's zone
        ("timeDate", "2026-03-06T16:00:00", timedelta(hours=1)),
    ],
)
def test_an_iso_8601_literal_quoted_or_not_validates_and_fires(clock, kind, text, after):
    files = catch(kind, text)
    assert fires_at(files) == START + after
    run, _ = ProcessRun.start(parse_bundle(files, "p"), {})
    assert not fire(run, clock, START + after - timedelta(seconds=1))
    assert fire(run, clock, START + after + timedelta(seconds=1))


def test_a_literal_survives_a_dump_and_load_and_then_fires(clock):
    run, _ = ProcessRun.start(parse_bundle(catch("timeDuration", "PT1H"), "p"), {})
    again = ProcessRun.load(run.definition, run.dump())
    assert fire(again, clock, START + timedelta(hours=2))


@pytest.mark.parametrize(
    ("text", "data", "after"),
    [
        ("wait", {"wait": "PT2H"}, timedelta(hours=2)),
        ('"PT" + str(hours) + "H"', {"hours": 3}, timedelta(hours=3)),
        ("after_working_days(1)", {}, None),
    ],
)
def test_an_expression_still_yields_the_duration_it_computes(clock, text, data, after):
    files = catch("timeDuration", text)
    files["m.bpmn"] = files["m.bpmn"].replace(
        '<bpmn:startEvent id="start" />',
        '<bpmn:startEvent id="start" /><bpmn:scriptTask id="setup"><bpmn:script>'
        + "".join(f"{k} = {v!r}\n" for k, v in data.items())
        + "x = 1</bpmn:script></bpmn:scriptTask>",
    )
    files["m.bpmn"] = (
        files["m.bpmn"]
        .replace('sourceRef="start" targetRef="t"', 'sourceRef="start" targetRef="setup"')
        .replace(
            "</bpmn:process>",
            '<bpmn:sequenceFlow id="fs" sourceRef="setup" targetRef="t"/></bpmn:process>',
        )
    )
    due = fires_at(files)
    if after is not None:
        assert due == START + after
    else:
        # one working day from Friday 15:00 (Vietnam) is Monday 15:00: later than a day
        assert due > START + timedelta(days=1)


def cycle_model(text: str) -> dict[str, str]:
    return {
        "m.bpmn": f'{HEAD}<bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" '
        'targetRef="work" /><bpmn:manualTask id="work_never" />'
        '<bpmn:receiveTask id="work" messageRef="done" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />'
        '<bpmn:endEvent id="end" />'
        '<bpmn:boundaryEvent id="every" attachedToRef="work" cancelActivity="false">'
        f"<bpmn:timerEventDefinition><bpmn:timeCycle>{text}</bpmn:timeCycle>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:sequenceFlow id="f3" sourceRef="every" targetRef="reminded" />'
        '<bpmn:endEvent id="reminded" />'
        '<bpmn:sequenceFlow id="f4" sourceRef="work_never" targetRef="end" />'
        '</bpmn:process><bpmn:message id="done" name="done" /></bpmn:definitions>'
    }


@pytest.mark.parametrize("text", ["R6/P1D", '"R6/P1D"'])
def test_a_cycle_r_n_fires_exactly_n_times(clock, text):
    files = cycle_model(text)
    files["m.bpmn"] = (
        files["m.bpmn"]
        .replace('<bpmn:manualTask id="work_never" />', "")
        .replace('<bpmn:sequenceFlow id="f4" sourceRef="work_never" targetRef="end" />', "")
    )
    assert problems(files) == []
    run, _ = ProcessRun.start(parse_bundle(files, "p"), {})
    assert run.next_timer_at() == START + timedelta(days=1)
    fired = 0
    for day in range(1, 10):
        clock.set(START + timedelta(days=day, seconds=1))
        fired += [c.element_id for c in run.fire_timers().completed].count("reminded")
    assert fired == 6


@pytest.mark.parametrize(
    ("kind", "text", "said"),
    [
        ("timeDuration", "P3X", "P3X"),
        ("timeDuration", "PT0S", "lớn hơn 0"),
        ("timeDuration", '"abc"', "abc"),
        ("timeDuration", "P1.5DT2H", "phần lẻ"),
        ("timeDuration", "P99999999D", "quá dài"),
        ("timeDate", "2026-13-01T08:00:00+07:00", "2026-13-01"),
        ("timeDate", "2026-12-01 08:00 +07", "2026-12-01 08:00"),
        ("timeDate", '"tomorrow"', "tomorrow"),
        ("timeCycle", "R0/P1D", "lớn hơn 0"),
        ("timeCycle", "R6/P1X", "P1X"),
        ("timeCycle", "R6", "R6"),
        ("timeCycle", '"every day"', "every day"),
        ("timeDuration", "", "chưa có biểu thức"),
        ("timeDuration", "__import__('os')", ""),
    ],
)
def test_a_timer_that_would_not_run_is_a_located_problem(kind, text, said):
    found = problems(catch(kind, text))
    assert found, f"{kind} {text!r} validated but cannot run"
    assert all(element == "t" for element, _m in found)
    assert any(said in message for _e, message in found), found


def test_a_timer_with_two_kinds_at_once_is_refused():
    files = catch("timeDuration", "PT1H")
    files["m.bpmn"] = files["m.bpmn"].replace(
        "</bpmn:timeDuration>", "</bpmn:timeDuration><bpmn:timeDate>2026-12-01</bpmn:timeDate>"
    )
    assert problems(files)


def test_an_expression_may_yield_a_timedelta_or_a_datetime():
    from app.domain.status import VN_TZ
    from app.engine import timer_literals

    assert timer_literals.as_text("timeDuration", timedelta(hours=2)) == "PT7200.000000S"
    assert timer_literals.duration(timer_literals.as_text("timeDuration", timedelta(minutes=1)))
    naive = datetime(2026, 12, 1, 8, 0)
    assert timer_literals.as_text("timeDate", naive) == naive.replace(tzinfo=VN_TZ).isoformat()
    with pytest.raises(ValueError, match="ISO 8601"):
        timer_literals.as_text("timeDuration", 5)
