"""The one source of "now" (UTC, timezone-aware); tests and simulations can set it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _system() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _system


def utcnow() -> datetime:
    return _clock()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Use `clock` for every `utcnow()` from now on; None restores the system clock."""
    global _clock
    _clock = clock or _system
