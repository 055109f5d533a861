"""Size guards for text built from values: `%` formatting, f-strings, `str.format`, `str()`
and `repr()` of containers (a list of 100 000 references to one long string prints as a very
long string). Each estimates the result before it is built and charges it to the budget.
"""

from __future__ import annotations

import re
import string
from typing import Any

from app.engine.limits import INT_TYPES, TEXT_TYPES, Budget, active

# Containers deeper than this are not walked further (a list that holds itself, say); each
# level below counts as this many characters.
_DEPTH = 20
_DEEP = 64
# `%[(name)][flags][width][.precision]`: the numbers a printf-style spec may carry.
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBER = re.compile(r"\d+")
_FORMATTER = string.Formatter()


def text_size(value: Any, budget: Budget, depth: int = 0) -> int:
    """An upper bound of len(repr(value)), found without building it; charges a step per
    element visited and stops as soon as the bound passes the string limit."""
    kind = type(value)
    if kind in TEXT_TYPES:
        return len(value) + 3
    if kind in INT_TYPES:
        return value.bit_length() // 3 + 2
    if kind is float or value is None:
        return 24
    if depth >= _DEPTH:
        return _DEEP
    if isinstance(value, dict):
        parts: Any = (x for pair in value.items() for x in pair)
    elif isinstance(value, list | tuple | set | frozenset):
        parts = value
    else:
        return 64  # dates, durations and other small values of the namespace
    budget.spend(len(value))
    total, limit = 2, budget.limits.max_string
    for part in parts:
        total += text_size(part, budget, depth + 1) + 2
        if total > limit:
            break
    return total


def _widths(numbers: list[str], budget: Budget) -> int:
    total = 0
    for number in numbers:
        if len(number) > 12:
            budget.text(budget.limits.max_string + 1)
        total += int(number)
    budget.text(total)
    return total


def printf(template: Any, values: Any) -> Any:
    """`template % values` for text templates, bounded; any other `%` is the operator."""
    if type(template) not in TEXT_TYPES:
        return template % values
    budget = active()
    text = template if isinstance(template, str) else template.decode("latin-1")
    numbers, stars = [], 0
    for match in _PRINTF.finditer(text):
        for group in match.groups():
            if group == "*":
                stars += 1
            elif group:
                numbers.append(group)
    size = len(template) + _widths(numbers, budget)
    args = values if type(values) is tuple else (values,)
    if stars:
        for arg in args:
            if type(arg) in INT_TYPES and arg > budget.limits.max_string:
                budget.text(arg)
    if isinstance(values, dict):
        size += text_size(values, budget)
    else:
        size += sum(text_size(arg, budget) for arg in args)
    budget.text(size)
    return template % values


def formatted(value: Any, conversion: int, spec: str) -> str:
    """One `{value!conversion:spec}` of an f-string, bounded."""
    budget = active()
    if conversion == ord("r"):
        value = bounded_repr(value)
    elif conversion == ord("a"):
        budget.text(text_size(value, budget) * 4)
        value = ascii(value)
    elif conversion == ord("s"):
        value = bounded_str(value)
    if spec:
        _widths(_NUMBER.findall(spec), budget)
    elif type(value) is str:
        budget.allocate(len(value))  # the f-string copies it into its result
        return value
    budget.text(text_size(value, budget))
    result = format(value, spec)
    budget.allocate(len(result))
    return result


def bounded_str(*args: Any, **kwargs: Any) -> str:
    """`str(value)`, refused when its text would pass the limits (decoding bytes is bounded
    by the bytes)."""
    if len(args) == 1 and not kwargs and type(args[0]) is not str:
        budget = active()
        budget.text(text_size(args[0], budget))
    return str(*args, **kwargs)


def bounded_repr(value: Any) -> str:
    budget = active()
    budget.text(text_size(value, budget))
    return repr(value)


def format_size(template: str, args: tuple, kwargs: dict, budget: Budget) -> None:
    """Refuse `template.format(*args, **kwargs)` when its result would be too long: each
    field counts the whole text of the argument it names, and every width or precision."""
    size, auto = len(template), 0
    for _, field, spec, _ in _FORMATTER.parse(template):
        if field is None:
            continue
        if spec:
            if "{" in spec:  # a width taken from an argument
                for arg in (*args, *kwargs.values()):
                    if type(arg) in INT_TYPES and arg > budget.limits.max_string:
                        budget.text(arg)
            size += _widths(_NUMBER.findall(spec), budget)
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        if head == "":
            head, auto = str(auto), auto + 1
        arg = args[int(head)] if head.isdigit() and int(head) < len(args) else kwargs.get(head)
        size += text_size(arg, budget)
        budget.text(size)
