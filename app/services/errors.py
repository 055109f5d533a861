"""The errors services raise; the web layer maps each to one status code in one place."""

from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(ServiceError):
    status = 422


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
