"""Where the token of a server-side session (app.services.accounts.sessions) sits in the browser's
signed cookie: one key for the officer, one for the citizen (both may use one browser)."""

from __future__ import annotations

from flask import session

OFFICER = "sid"
CITIZEN = "citizen_sid"


def token(key: str) -> str | None:
    value = session.get(key)
    return value if isinstance(value, str) else None


def keep(key: str, value: str) -> None:
    session[key] = value


def forget(key: str) -> str | None:
    """Drop the token from the cookie; the token it held (to end on the server)."""
    value = session.pop(key, None)
    return value if isinstance(value, str) else None
