"""Server-side sessions (migration 0018) on SQLite and PostgreSQL: a token opens only its own
officer's or citizen's session, and only until it is ended."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models import CitizenAccount, LoginSession, User
from app.services.accounts import sessions
from app.storage.db import db


def officer_id(username: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def start(user_id: int) -> str:
    with db.transaction() as session:
        return sessions.start(session, user_id=user_id)


def test_a_token_opens_its_officers_session_until_it_is_ended(app):
    mine, theirs = officer_id("tiepnhan"), officer_id("chuyenvien")
    token = start(mine)
    assert sessions.officer(token, mine).username == "tiepnhan"
    assert sessions.officer(token, theirs) is None
    assert sessions.officer(token + "x", mine) is None
    assert sessions.officer(None, mine) is None
    sessions.end(token)
    assert sessions.officer(token, mine) is None
    sessions.end(token)  # twice is no error


def test_the_table_holds_no_token_only_its_digest(app):
    token = start(officer_id("tiepnhan"))
    with db.transaction() as session:
        [key] = session.scalars(select(LoginSession.id)).all()
    assert token not in key and len(key) == 64


def test_ending_all_of_an_officers_sessions_leaves_the_others(app):
    mine, theirs = officer_id("tiepnhan"), officer_id("chuyenvien")
    first, second, other = start(mine), start(mine), start(theirs)
    with db.transaction() as session:
        assert sessions.end_all_of_user(session, mine) == 2
    assert sessions.officer(first, mine) is None and sessions.officer(second, mine) is None
    assert sessions.officer(other, theirs) is not None


def test_a_citizens_session_is_no_officers(app):
    with db.transaction() as session:
        citizen = CitizenAccount(
            portal_account_id="p-1",
            identifier_type="cccd",
            identifier="001090012345",
            full_name="Nguyễn Văn An",
        )
        session.add(citizen)
        session.flush()
        citizen_id = citizen.id
    token = sessions.start_for_citizen(citizen_id)
    assert sessions.is_citizens(token, citizen_id)
    assert sessions.officer(token, citizen_id) is None
    sessions.end(token)
    assert not sessions.is_citizens(token, citizen_id)


def test_a_session_belongs_to_exactly_one_officer_or_citizen(app):
    with pytest.raises(IntegrityError), db.transaction() as session:
        sessions.start(session)
