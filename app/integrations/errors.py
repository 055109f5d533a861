"""The one error type integrations raise."""

from __future__ import annotations


class IntegrationError(Exception):
    """A call to an external system failed; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
