"""Hard limits on BPMN scripts and conditions (giới hạn kịch bản): CPU time, the size of what
they build and the work they do, enforced in process and cheaply.

Three parts work together:
- the compile policy (`app.engine.limits_ast`) makes restricted code call `tick` at the top of
  every loop body, function, lambda and exception handler, and routes `*`, `**`, `<<`, `+`,
  `%`, f-string values and starred displays through the guarded operations here;
- a `Budget` per evaluation counts steps (loop turns, calls, items processed), reads the
  thread's CPU time every `CHECK_EVERY` steps and adds up the bytes guarded operations build;
- guarded builtins and methods (`harden`, `wrap_attribute` in `limits_guards`) refuse,
  before computing it, a result over the size limits.

Over a limit the budget raises `ScriptLimitExceeded`, and keeps raising it at every later
check, so a script that catches the error cannot carry on.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from app.engine.errors import ScriptLimitExceeded
from app.i18n import _

# Steps between two reads of the thread's CPU clock (a system call, too dear for every step).
CHECK_EVERY = 256
# Rough size of one reference in a list, tuple or dict (what `[x] * n` costs).
REF_BYTES = 8


@dataclass(frozen=True)
class Limits:
    """The bounds; config.py holds the settings (SCRIPT_*, ENGINE_*), these defaults serve a
    process that never configured the engine (its own unit tests)."""

    cpu_seconds: float = 1.0
    max_int_bits: int = 4096
    max_items: int = 100_000
    max_string: int = 1_000_000
    max_memory: int = 64 * 1024 * 1024
    max_steps: int = 1_000_000
    engine_max_steps: int = 500
    engine_cpu_seconds: float = 3.0


_current = Limits()


def configure(limits: Limits) -> None:
    """Set the limits of this process (app.bootstrap does it from the configuration)."""
    global _current
    _current = limits


def current() -> Limits:
    return _current


class _State(threading.local):
    budget: Budget | None = None


_state = _State()


class Budget:
    """What one evaluation or execution may still spend; a context manager that makes itself
    the thread's active budget for the guarded operations."""

    __slots__ = ("limits", "steps", "next_check", "memory", "started", "over", "_previous")

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or _current
        self.steps = 0
        self.next_check = CHECK_EVERY
        self.memory = 0
        self.over: str | None = None
        self.started = time.thread_time()
        self._previous: Budget | None = None

    def __enter__(self) -> Budget:
        self._previous, _state.budget = _state.budget, self
        return self

    def __exit__(self, *exc: object) -> None:
        _state.budget, self._previous = self._previous, None

    # -- spending -------------------------------------------------------------------
    def spend(self, steps: int) -> None:
        self.steps += steps
        if self.steps >= self.next_check:
            self.check()

    def check(self) -> None:
        """Raise when a limit was passed (for ever after the first time)."""
        if self.over is not None:
            raise ScriptLimitExceeded(self.over)
        limits = self.limits
        if self.steps > limits.max_steps:
            self.fail(
                _(
                    "Kịch bản chạy quá %(max_steps)s bước (vòng lặp, lời gọi, phần tử)",
                    max_steps=format(limits.max_steps, ","),
                )
            )
        if time.thread_time() - self.started > limits.cpu_seconds:
            self.fail(
                _("Kịch bản chạy quá %(cpu_seconds)g giây CPU", cpu_seconds=limits.cpu_seconds)
            )
        self.next_check = self.steps + CHECK_EVERY

    def allocate(self, nbytes: int) -> None:
        self.memory += nbytes
        if self.memory > self.limits.max_memory:
            mb = self.limits.max_memory / 1024 / 1024
            self.fail(_("Kịch bản tạo quá nhiều dữ liệu (hơn %(mb)g MB)", mb=mb))

    def fail(self, message: str) -> None:
        self.over = message
        self.next_check = 0  # every later tick raises again
        raise ScriptLimitExceeded(message)

    # -- sizes ----------------------------------------------------------------------
    def int_bits(self, bits: float) -> None:
        if bits > self.limits.max_int_bits:
            self.fail(
                _(
                    "Số nguyên quá lớn (hơn %(max_int_bits)s bit)",
                    max_int_bits=format(self.limits.max_int_bits, ","),
                )
            )
        self.allocate(int(bits) // 8)

    def text(self, length: int, new: int | None = None) -> None:
        """A text of `length` is about to exist, `new` of it (all by default) built now."""
        if length > self.limits.max_string:
            self.fail(
                _(
                    "Chuỗi quá dài (hơn %(max_string)s ký tự)",
                    max_string=format(self.limits.max_string, ","),
                )
            )
        self.allocate(length if new is None else new)

    def items(self, count: int, new: int | None = None) -> None:
        """A collection of `count` items is about to exist, `new` of them added now."""
        if count > self.limits.max_items:
            self.fail(
                _(
                    "Danh sách quá dài (hơn %(max_items)s phần tử)",
                    max_items=format(self.limits.max_items, ","),
                )
            )
        self.allocate((count if new is None else new) * REF_BYTES)

    def sized(self, kind: type, length: int) -> None:
        """A `kind` object of `length` is about to be built."""
        if kind in TEXT_TYPES:
            self.text(length)
        else:
            self.items(length)


TEXT_TYPES = frozenset({str, bytes, bytearray})
SEQUENCE_TYPES = frozenset({str, bytes, bytearray, list, tuple})
INT_TYPES = frozenset({int, bool})


def active() -> Budget:
    """The budget of the evaluation running on this thread (a fresh one outside any)."""
    return _state.budget or Budget()


def tick() -> None:
    """One step: a loop turn, a call, an exception handler entered."""
    budget = _state.budget or active()
    budget.steps += 1
    if budget.steps >= budget.next_check:
        budget.check()


# -- guarded operators (the compile policy calls these instead of the operators) ---------
def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta in INT_TYPES and tb in INT_TYPES:
        if a and b:
            active().int_bits(a.bit_length() + b.bit_length())
    elif ta in SEQUENCE_TYPES and tb in INT_TYPES:
        active().sized(ta, len(a) * max(b, 0))
    elif tb in SEQUENCE_TYPES and ta in INT_TYPES:
        active().sized(tb, len(b) * max(a, 0))
    return a * b


def power(a: Any, b: Any, modulo: Any = None) -> Any:
    if modulo is not None:
        return pow(a, b, modulo)
    if type(a) in INT_TYPES and type(b) in INT_TYPES and b > 0 and abs(a) > 1:
        active().int_bits(b * math.log2(abs(a)))
    return a**b


def lshift(a: Any, b: Any) -> Any:
    if type(a) in INT_TYPES and type(b) in INT_TYPES and a and b > 0:
        active().int_bits(a.bit_length() + b)
    return a << b


def add(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta in SEQUENCE_TYPES and type(b) is ta:
        active().sized(ta, len(a) + len(b))
    return a + b


def star(value: Any) -> Any:
    """`*value` or `**value` in a display: what it adds is counted before it is built."""
    if type(value) in SEQUENCE_TYPES or isinstance(value, dict | set | frozenset | range):
        active().items(len(value))
    return value
