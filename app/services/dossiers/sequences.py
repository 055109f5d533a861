"""Dossier numbers per agency per day (số thứ tự hồ sơ): handed out without holding a lock until
the receipt commits.

On PostgreSQL the counter row is bumped in its own short transaction on a connection of its
own, so a receipt holds the agency's row for one statement, not for its whole transaction:
receipts at one agency no longer wait for each other. The price is a gap when a receipt fails
after taking its number; the number is then recorded as voided in the audit log (with the
reason), so a supervisor sees why it is missing. On SQLite, where writers serialise anyway,
the bump stays inside the receipt's transaction and a failed receipt gives its number back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import DossierSequence
from app.services.core import audit
from app.services.core.actors import Actor
from app.storage.db import db


@dataclass
class Taken:
    """A number handed out outside the receipt's transaction (survives its rollback)."""

    agency_id: int = 0
    day: date | None = None
    value: int = 0
    code: str = ""


def next_sequence(session: Session, agency_id: int, day: date, taken: Taken | None = None) -> int:
    """The agency's next number for the day; on PostgreSQL committed at once on a connection
    of its own (noted in `taken`), elsewhere inside the caller's transaction."""
    # `.engine`: the engine itself even where the session is bound to a connection
    engine = session.get_bind().engine
    if engine.dialect.name != "postgresql":
        stmt = _upsert(sqlite_insert, agency_id, day)
        return int(session.execute(stmt).scalar_one())
    with engine.connect() as conn:
        # Not waiting for the WAL flush here is safe: the receipt's own commit (or the voided
        # number's audit row) flushes this record with it; a crash before either loses a
        # number nobody used.
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        value = int(conn.execute(_upsert(pg_insert, agency_id, day)).scalar_one())
        conn.commit()
    if taken is not None:
        taken.agency_id, taken.day, taken.value = agency_id, day, value
    return value


def _upsert(insert, agency_id: int, day: date):  # noqa: ANN001, ANN202
    return (
        insert(DossierSequence)
        .values(agency_id=agency_id, day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=["agency_id", "day"],
            set_={"last_value": DossierSequence.last_value + 1},
        )
        .returning(DossierSequence.last_value)
    )


def record_voided(taken: Taken, actor: Actor, error: BaseException) -> None:
    """Log in the audit that the receipt which took `taken` failed, so its number is missing."""
    with db.transaction() as session:
        audit.record(
            session,
            "dossier_code_voided",
            actor,
            dossier_id=None,
            agency_id=taken.agency_id,
            day=taken.day.isoformat() if taken.day else "",
            sequence=taken.value,
            code=taken.code,
            reason=(str(error) or type(error).__name__)[:500],
        )
