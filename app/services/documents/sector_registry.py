"""Registering issued results in sector databases (ghi kết quả vào CSDL chuyên ngành).

001 §II.1 Bước 5: the coded e-result is stored in the national or sector database, or the
warehouse; 001 §II.2.b Bước 6: its attributes go to the sector database where there is one,
found by document-type code and owner identifier; 001 §II.2.c Bước 3: the system keeps the
link to what the database stores. A procedure names its database (`Procedure.sector_database`);
when its result is issued, `queue_registration` writes the call to the outbox in the issuing
transaction, so every model version registers it without a step of its own. The worker sends
it (retries with backoff, an incident after the last failure or at once on a refusal), under
a key of the result itself: whichever send comes second is answered with the first
registration. A model may also call `sector.register_result` as a service task with the
database and the result's document id: `fill_record` builds the record when the worker takes
that call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.sector_databases import SECTOR_DATABASES
from app.i18n import _l
from app.models import Document, Dossier, OutboxMessage, SectorRegistration
from app.models.base import utcnow
from app.services.core import audit, outbox, visibility
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import NotFound
from app.services.documents.storage import warehouse_metadata
from app.storage.db import db

REGISTER = "sector.register_result"


def record_of(dossier: Dossier, document: Document) -> dict[str, Any]:
    """What the sector database receives for an issued result: the dossier, the procedure, the
    owner, the result (number = its storage key, the code it is known by, 001 §II.1 Bước 5;
    date; hash) and the six metadata fields as the warehouse gets them (001 §II.2.c)."""
    procedure = dossier.procedure
    return {
        "database": procedure.sector_database,
        "dossier_code": dossier.code,
        "procedure_code": procedure.code,
        "procedure_name": procedure.name,
        "agency_code": dossier.agency.code,
        "owner": {
            "type": dossier.owner_type,
            "id_type": dossier.owner_id_type,
            "id": dossier.owner_id,
            "name": dossier.owner_name,
        },
        "result": {
            "number": document.storage_key,
            "issued_at": (document.stored_at or utcnow()).isoformat(),
            "type_code": document.type_code,
            "name": document.name,
            "sha256": document.file_sha256,
            "size": document.size,
        },
        "metadata": warehouse_metadata(document, dossier.code),
    }


def queue_registration(session: Session, dossier: Dossier, document: Document) -> bool:
    """Queue the registration of a just-issued result in its procedure's sector database, in
    the issuing transaction; False when the procedure names none."""
    database = dossier.procedure.sector_database
    if not database:
        return False
    session.flush()
    outbox.add(
        session,
        REGISTER,
        {
            "database": database,
            "document_id": document.id,
            "record": record_of(dossier, document),
        },
        dossier_id=dossier.id,
    )
    audit.record(
        session,
        "service_call_requested",
        SYSTEM,
        dossier_id=dossier.id,
        operator=REGISTER,
        database=database,
        document_id=document.id,
    )
    return True


def fill_record(outbox_id: int) -> dict[str, Any] | None:
    """The record for a queued `sector.register_result` call of a model's step (its parameters
    name the database and the result's document id); None when the call needs nothing or names
    no result of its own dossier (the call then fails without a record: an incident)."""
    with db.transaction() as session:
        row = session.get(OutboxMessage, outbox_id, with_for_update=True)
        if row is None or row.operator != REGISTER or "record" in (row.params or {}):
            return None
        document = session.get(Document, row.params.get("document_id"))
        dossier = session.get(Dossier, row.dossier_id) if row.dossier_id else None
        if (
            document is None
            or dossier is None
            or document.dossier_id != dossier.id
            or document.source != "result"
            or document.state != "stored"
        ):
            return None
        record = {**record_of(dossier, document), "database": row.params.get("database")}
        row.params = {**row.params, "record": record}
        return dict(row.params)


def record_registration(session: Session, row: outbox.Done, result: dict[str, Any]) -> None:
    """Keep the database's record id and link for a registered result (once per database and
    document, however many sends were answered), in the transaction that marks the call done."""
    database, document_id = row.params.get("database"), row.params.get("document_id")
    known = session.scalar(
        select(SectorRegistration.id).where(
            SectorRegistration.database == database,
            SectorRegistration.document_id == document_id,
        )
    )
    if known is not None or row.dossier_id is None:
        return
    session.add(
        SectorRegistration(
            dossier_id=row.dossier_id,
            document_id=document_id,
            database=database,
            record_id=str(result.get("record_id") or "")[:64],
            url=str(result.get("url") or "")[:500],
            registered_at=_moment(result.get("registered_at")),
            outbox_id=row.id,
        )
    )
    audit.record(
        session,
        "sector_registered",
        SYSTEM,
        dossier_id=row.dossier_id,
        database=database,
        record_id=result.get("record_id"),
    )


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return utcnow()
    return moment if moment.tzinfo else utcnow()


@dataclass(frozen=True)
class SectorState:
    """Where a dossier's result stands with a sector database, for the dossier page:
    `planned` (the procedure names it, the dossier is open, no result issued yet), `sending`
    (queued or being retried), `failed` (an incident waits for a supervisor), `registered`."""

    database: str
    short_name: str
    name: str
    state: str
    record_id: str = ""
    url: str = ""
    registered_at: datetime | None = None
    attempts: int = 0
    error: str = ""


def states_of(code: str, actor: Actor) -> list[SectorState]:
    """The dossier's results and their sector databases, as its officers see them."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
        registered = session.scalars(
            select(SectorRegistration)
            .where(SectorRegistration.dossier_id == dossier.id)
            .order_by(SectorRegistration.id)
        ).all()
        states = [
            _state(
                r.database,
                "registered",
                record_id=r.record_id,
                url=r.url,
                registered_at=r.registered_at,
            )
            for r in registered
        ]
        done = {(r.database, r.document_id) for r in registered}
        calls = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dossier_id == dossier.id, OutboxMessage.operator == REGISTER)
            .order_by(OutboxMessage.id)
        ).all()
        for call in calls:
            key = (call.params.get("database"), call.params.get("document_id"))
            if key in done or call.state == "done":
                continue
            done.add(key)
            states.append(
                _state(
                    str(key[0]),
                    "failed" if call.state == "incident" else "sending",
                    attempts=call.attempts,
                    error=call.last_error or "",
                )
            )
        planned = dossier.procedure.sector_database
        # a dossier ended without a result (refused, withdrawn) has nothing to register
        if not calls and not registered and planned and dossier.finished_at is None:
            states.append(_state(planned, "planned"))
        return states


def _state(database: str, state: str, **found: Any) -> SectorState:
    known = SECTOR_DATABASES.get(database)
    return SectorState(
        database,
        known.short_name if known else database,
        known.name if known else database,
        state,
        **found,
    )
