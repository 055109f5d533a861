"""Timers read "now" from the domain clock, which the engine injects without patching
SpiffWorkflow: set the clock forward and a timer fires, set it back and it does not."""

from __future__ import annotations

import datetime as real_datetime
from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from app.engine import ProcessRun, parse_bundle

START = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="http://example.org/timers">
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="timer"/>
    <bpmn:intermediateCatchEvent id="timer">
      <bpmn:timerEventDefinition>{definition}</bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="timer" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

REMINDERS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="http://example.org/timers">
  <bpmn:process id="remind" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:userTask id="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:boundaryEvent id="every_hour" attachedToRef="work" cancelActivity="false">
      <bpmn:timerEventDefinition>
        <bpmn:timeCycle>"R2/PT1H"</bpmn:timeCycle>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="every_hour" targetRef="reminded"/>
    <bpmn:endEvent id="reminded"/>
  </bpmn:process>
</bpmn:definitions>
"""

DURATION = '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
DATE = '<bpmn:timeDate>"2026-03-06T09:00:00+00:00"</bpmn:timeDate>'


@pytest.fixture(autouse=True)
def at_start(clock) -> None:
    clock.set(START)


def waiting_on(definition: str) -> ProcessRun:
    bundle = parse_bundle({"wait.bpmn": PROCESS.format(definition=definition)})
    run, changes = ProcessRun.start(bundle, {})
    assert not changes.finished and run.next_timer_at() == START + timedelta(hours=1)
    return run


@pytest.mark.parametrize("definition", [DURATION, DATE], ids=["duration", "date"])
def test_a_timer_fires_only_when_the_domain_clock_passes_its_moment(clock, definition):
    run = waiting_on(definition)
    clock.set(START + timedelta(minutes=59))
    assert not run.fire_timers().finished
    clock.set(START + timedelta(hours=1, seconds=1))
    assert run.fire_timers().finished


def test_setting_the_clock_back_keeps_the_timer_waiting(clock):
    run = waiting_on(DURATION)
    clock.set(START - timedelta(days=1))
    assert not run.fire_timers().finished
    assert run.next_timer_at() == START + timedelta(hours=1)


def test_a_duration_counts_from_the_domain_clock_not_the_wall_clock(clock):
    clock.set(datetime(2031, 1, 1, tzinfo=UTC))
    bundle = parse_bundle({"wait.bpmn": PROCESS.format(definition=DURATION)})
    run, _ = ProcessRun.start(bundle, {})
    assert run.next_timer_at() == datetime(2031, 1, 1, 1, tzinfo=UTC)


def test_a_waiting_timer_survives_a_dump_and_load_and_keeps_spiffs_event_type(clock):
    run = waiting_on(DURATION)
    [event] = run._waiting_events()
    assert event.event_type == "DurationTimerEventDefinition"
    again = ProcessRun.load(run.definition, run.dump())
    clock.set(START + timedelta(hours=2))
    assert again.fire_timers().finished


def reminders_sent(run: ProcessRun) -> int:
    return [c.element_id for c in run.fire_timers().completed].count("reminded")


def test_a_cycle_repeats_on_the_domain_clock(clock):
    run, _ = ProcessRun.start(parse_bundle({"remind.bpmn": REMINDERS}), {})
    assert run.next_timer_at() == START + timedelta(hours=1)
    assert reminders_sent(run) == 0
    clock.set(START + timedelta(hours=1, seconds=1))
    assert reminders_sent(run) == 1
    assert run.next_timer_at() == START + timedelta(hours=2)
    clock.set(START + timedelta(hours=2, seconds=1))
    assert reminders_sent(run) == 1
    clock.set(START + timedelta(days=1))
    assert reminders_sent(run) == 0


def test_spiffworkflow_is_left_with_the_real_datetime():
    assert spiff_timer.datetime is real_datetime.datetime
