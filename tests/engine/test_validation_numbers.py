"""Numeric properties validate only when they can run: `durationDays` is a finite number of
working days greater than 0 (the calendar would otherwise loop or refuse at run time), and a
literal multi-instance cardinality is a whole number greater than 0."""

from __future__ import annotations

import pytest

from tests.engine.test_validation import chain, model, problems


def step(days: str) -> dict[str, str]:
    task = (
        '<bpmn:manualTask id="a" name="Thẩm định"><bpmn:extensionElements>'
        "<spiffworkflow:properties>"
        f'<spiffworkflow:property name="durationDays" value="{days}" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:manualTask>"
    )
    return model(chain(task))


@pytest.mark.parametrize("days", ["1", "0.5", "15", "2600"])
def test_a_finite_positive_number_of_days_is_accepted(days):
    assert problems(step(days)) == []


@pytest.mark.parametrize(
    "days",
    [
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "-1",
        "0",
        "0.0",
        "abc",
        "1e309",
        "1e3",
        "",
        " ",
        "1,5",
        "2600.5",
        "99999",
        "0x10",
        "1_000",
    ],
)
def test_a_duration_that_is_not_a_finite_positive_number_is_a_located_problem(days):
    found = problems(step(days))
    assert [element for element, _m in found] == ["a"]
    assert found[0][1].startswith("durationDays:")


def multi(cardinality: str) -> dict[str, str]:
    task = (
        '<bpmn:manualTask id="a"><bpmn:multiInstanceLoopCharacteristics>'
        f"<bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>"
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:manualTask>"
    )
    return model(chain(task))


@pytest.mark.parametrize("cardinality", ["3", "1"])
def test_a_whole_positive_cardinality_is_accepted(cardinality):
    assert problems(multi(cardinality)) == []


@pytest.mark.parametrize("cardinality", ["0", "-1", "2.5", "1e309", "nan", "inf", "1000000"])
def test_a_literal_cardinality_that_is_not_a_whole_positive_number_is_a_located_problem(
    cardinality,
):
    found = problems(multi(cardinality))
    assert found and all(element == "a" for element, _m in found)
    assert any("số lần lặp" in message for _e, message in found)
