"""The errors services raise; the web layer maps each to one status code in one place.

A message is Vietnamese source text marked with `app.i18n._l`: it stays lazy inside the
error and becomes text in the reader's language each time it is read (`.message`,
`.fields`, `str(exc)`), so an error raised before the request's language is known, or in a
worker, still reads right where it is shown. What is read is always a plain `str`: safe to
put in JSON, a flash message, or a database row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.i18n import text


class ServiceError(Exception):
    """A use case refused: `message` says why, `fields` which input field and why."""

    status = 400

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self._message = message
        self._fields = dict(fields or {})

    @property
    def message(self) -> str:
        """The message in the current reader's language (Vietnamese outside a request)."""
        return str(self._message)

    @property
    def fields(self) -> dict[str, str]:
        """Field name → message, each in the current reader's language."""
        return {name: str(value) for name, value in self._fields.items()}

    def __str__(self) -> str:
        return self.message


class InvalidInput(ServiceError):
    status = 422


class InvalidModel(InvalidInput):
    """A model bundle refused by its validation: `problems` lists every located problem, in
    order, as JSON-ready dicts (none dropped, several on one element included); `fields`
    keeps the older shape, "file:line:element" → the messages there, joined."""

    def __init__(
        self,
        message: str,
        problems: Sequence[Mapping[str, Any]],
        *,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, fields=fields)
        self._problems = [dict(p) for p in problems]

    @property
    def problems(self) -> list[dict[str, Any]]:
        """Every problem, its messages in the current reader's language."""
        return text(self._problems)


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    """Someone else changed the same thing first: reload and try again."""

    status = 409


class Unauthorized(ServiceError):
    """Not signed in, or a sign-in refused (the same answer whatever the reason)."""

    status = 401


def listed(names: Sequence[str], most: int = 10) -> str:
    """Names for a message: the first `most`, then "…" (every one is in the error's fields)."""
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")
