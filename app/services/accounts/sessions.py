"""Server-side sign-in sessions (phiên đăng nhập): started at sign-in, looked up on every
request, ended by logout, by a password change (all of the officer's) or by time.

The caller keeps the token (a random string) in the browser's signed cookie; only its SHA-256
is stored, so the table is no list of valid cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app import settings
from app.models import LoginSession, User
from app.models.base import utcnow
from app.storage.db import db


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, *, user_id: int | None = None, citizen_id: int | None = None) -> str:
    """A new session for one officer or one citizen, in the caller's transaction; the token."""
    now = utcnow()
    session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=settings.current.SESSION_LIFETIME_HOURS)
    session.add(
        LoginSession(
            id=_key(token),
            user_id=user_id,
            citizen_id=citizen_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def start_for_citizen(citizen_id: int) -> str:
    """Open a login session for a citizen signed in through the portal."""
    with db.transaction() as session:
        return start(session, citizen_id=citizen_id)


def _live(session: Session, token: str | None) -> LoginSession | None:
    if not token:
        return None
    row = session.get(LoginSession, _key(token))
    return row if row is not None and row.expires_at > utcnow() else None


def officer(token: str | None, user_id: int) -> User | None:
    """The active officer `user_id` if `token` is a live session of theirs, else None."""
    with db.transaction() as session:
        row = _live(session, token)
        if row is None or row.user_id != user_id:
            return None
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        _ = user.agency, [r.agency for r in user.roles]  # loaded now: it outlives the session
        return user


def is_citizens(token: str | None, citizen_id: int) -> bool:
    """Whether `token` is a live session of citizen `citizen_id`."""
    with db.transaction() as session:
        row = _live(session, token)
        return row is not None and row.citizen_id == citizen_id


def end(token: str | None) -> None:
    """End one session (logout); an unknown or ended token is no error."""
    if token:
        with db.transaction() as session:
            session.execute(delete(LoginSession).where(LoginSession.id == _key(token)))


def end_all_of_user(session: Session, user_id: int) -> int:
    """End every session of an officer (password changed), in the caller's transaction."""
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return result.rowcount or 0
