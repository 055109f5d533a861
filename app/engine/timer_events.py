"""Timer events that read "now" from the domain clock (hẹn giờ theo đồng hồ của hệ thống).

SpiffWorkflow's timer event definitions ask `datetime.now()` of their own module. Ours are
subclasses that ask `app.domain.clock.utcnow()` instead, and the engine's parser builds them
(`TIMER_PARSERS`), so timers and deadlines agree on "now" and a frozen clock in tests or
simulations freezes both, without changing anything inside SpiffWorkflow. The event types a
waiting timer reports stay SpiffWorkflow's names, so callers see no difference.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)

from app.domain.clock import utcnow
from app.engine import timer_literals


def duration_from(start: datetime, expression: str) -> datetime:
    """The moment an ISO 8601 duration (`"PT5M"`, `"P1M"`) after `start` (months and years
    counted on the calendar from `start`)."""
    parsed = TimerEventDefinition.parse_iso_duration(expression)
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)


def timer_text(task: Any, kind: str, expression: str) -> str:
    """The ISO 8601 text of a timer: its literal as written (`PT1H`, `"PT1H"`, `R6/P1D`),
    else what its expression yields (a string, a `timedelta`, a `datetime`)."""
    found = timer_literals.literal(kind, expression)
    if found is not None:
        return found
    value = task.workflow.script_engine.evaluate(task, expression)
    return timer_literals.as_text(kind, value)


def _due(text: str) -> datetime:
    """When a date or duration timer is due: an ISO 8601 duration counts from the domain
    clock, a date and time is the moment itself (`after_working_days(2)` yields a moment and
    may stand in either kind of timer)."""
    if text.upper().startswith("P"):
        return duration_from(utcnow(), timer_literals.duration(text))
    return timer_literals.moment(text)


def _fire_when_passed(task: Any, moment: datetime) -> bool:
    if moment < utcnow():
        task._set_internal_data(event_fired=True)
    return task._get_internal_data("event_fired", False)


class _ReportedAsSpiff:
    """Waiting events keep SpiffWorkflow's type name (the name of the class we extend)."""

    spiff_name: str

    def details(self, my_task: Any) -> PendingBpmnEvent:
        pending = super().details(my_task)  # type: ignore[misc]
        return PendingBpmnEvent(pending.name, self.spiff_name, pending.value)


class ClockTimeDateEventDefinition(_ReportedAsSpiff, TimeDateEventDefinition):
    """A timer at a date and time (`timeDate`), due when the domain clock passes it."""

    spiff_name = TimeDateEventDefinition.__name__

    def has_fired(self, my_task: Any) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            value = _due(timer_text(my_task, timer_literals.DATE, self.expression)).isoformat()
            my_task._set_internal_data(event_value=value)
        return _fire_when_passed(my_task, self.get_datetime(value))


class ClockDurationTimerEventDefinition(_ReportedAsSpiff, DurationTimerEventDefinition):
    """A timer after a duration (`timeDuration`), counted from the domain clock when the
    task starts waiting."""

    spiff_name = DurationTimerEventDefinition.__name__

    def has_fired(self, my_task: Any) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            value = _due(timer_text(my_task, timer_literals.DURATION, self.expression)).isoformat()
            my_task._set_internal_data(event_value=value)
        return _fire_when_passed(my_task, self.get_datetime(value))


class ClockCycleTimerEventDefinition(_ReportedAsSpiff, CycleTimerEventDefinition):
    """A repeating timer (`timeCycle`, `R3/PT1H`): each cycle is due on the domain clock."""

    spiff_name = CycleTimerEventDefinition.__name__

    def cycle_complete(self, my_task: Any) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            text = timer_text(my_task, timer_literals.CYCLE, self.expression)
            cycles, start, every = _recurring_interval(text)
            value = {"cycles": cycles, "next": start.isoformat(), "duration": every.total_seconds()}
        due = False
        if value["cycles"] == 0:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        else:
            upcoming = datetime.fromisoformat(value["next"])
            if upcoming < utcnow():
                value["next"] = (upcoming + timedelta(seconds=value["duration"])).isoformat()
                value["cycles"] -= 1
                due = True
        my_task._set_internal_data(event_value=value)
        return due


def _recurring_interval(expression: str) -> tuple[int, datetime, timedelta]:
    """(cycles, first moment, period) of an ISO 8601 repeating interval (`R6/P1D`: six times,
    the first one period from the domain clock; `R3/<date>/P1D`: from that date)."""
    cycle = timer_literals.cycle(expression)
    if cycle.start is None:
        now = utcnow()
        first = duration_from(now, cycle.period)
        return cycle.cycles, first, first - now
    first = cycle.start.astimezone(UTC)
    return cycle.cycles, first, duration_from(first, cycle.period) - first


# SpiffWorkflow's class → ours, for the parser.
ON_CLOCK: dict[type, type] = {
    TimeDateEventDefinition: ClockTimeDateEventDefinition,
    DurationTimerEventDefinition: ClockDurationTimerEventDefinition,
    CycleTimerEventDefinition: ClockCycleTimerEventDefinition,
}

# Serializer registry entries for our classes (specs are compared when an instance migrates).
CONVERTERS: dict[type, type] = {
    ours: TimerConditionalEventDefinitionConverter for ours in ON_CLOCK.values()
}


class ClockTimerParsing:
    """Mixin for SpiffWorkflow's event parsers: the timer they parse is built on our clock."""

    def parse_timer_event(self, event: Any) -> TimerEventDefinition:
        spiff = super().parse_timer_event(event)  # type: ignore[misc]
        ours = ON_CLOCK[type(spiff)]
        return ours(spiff.name, spiff.expression, description=spiff.description)


class _StartEventParser(ClockTimerParsing, SpiffStartEventParser):
    pass


class _IntermediateCatchEventParser(ClockTimerParsing, SpiffIntermediateCatchEventParser):
    pass


class _BoundaryEventParser(ClockTimerParsing, SpiffBoundaryEventParser):
    pass


# The BPMN elements that may hold a timer, parsed with the mixin (for OVERRIDE_PARSER_CLASSES).
TIMER_PARSERS: dict[str, tuple[type, type]] = {
    full_tag("startEvent"): (_StartEventParser, StartEvent),
    full_tag("intermediateCatchEvent"): (_IntermediateCatchEventParser, IntermediateCatchEvent),
    full_tag("boundaryEvent"): (_BoundaryEventParser, BoundaryEvent),
}
