"""Timer definitions as the model validation (kiểm tra mô hình) reads them: an ISO 8601
literal of the timer's kind (`PT1H`, `"P7D"`, `R6/P1D`, `2026-12-01T08:00:00+07:00`) or a safe
expression, decided exactly as the running timer decides (`timer_literals.literal`)."""

from __future__ import annotations

from lxml import etree

from app.engine import timer_literals
from app.engine.sandbox import check_expression
from app.i18n import _

_KINDS = (timer_literals.DATE, timer_literals.DURATION, timer_literals.CYCLE)


def timer_problems(definition: etree._Element, known: frozenset[str]) -> list[str]:
    """Why one `timerEventDefinition` would not run (empty when it runs)."""
    given = [
        child
        for child in definition
        if isinstance(child.tag, str) and etree.QName(child).localname in _KINDS
    ]
    text = (given[0].text or "").strip() if given else ""
    if not text:
        return [_("hẹn giờ chưa có biểu thức")]
    kind = etree.QName(given[0]).localname
    found = timer_literals.literal(kind, text)
    if found is not None:
        error = timer_literals.problem(kind, found)
        return [] if error is None else [_("hẹn giờ: %(error)s", error=error)]
    if timer_literals.looks_iso(text):
        return [_("hẹn giờ: %(error)s", error=timer_literals.problem(kind, text))]
    return [_("hẹn giờ: %(error)s", error=error) for error in check_expression(text, known)]
