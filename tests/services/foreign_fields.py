"""A dossier as the "only the form reaches the process" tests see it, and what an attacker
adds to a completion."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.models import AuditEvent, Dossier, HumanTask, ProcessInstance
from app.services.core import runtime
from app.storage.db import db
from tests.services.helpers import deliver, receive

AN = "001090012345"
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
# What an attacker adds to a reception: the C1 condition `reception_agency_code != agency_code`
# would send the dossier on a BCCI transfer; the others waive the fee, rename or re-own it.
HOSTILE = {
    "agency_code": "000.21.33.H31",
    "reception_agency_code": "000.99.99.H99",
    "department_code": "000.01.12.H31",
    "fee_amount": 0,
    "dossier_code": "X",
    "owner_id": "079090000001",
    "channel": "online",
    "dossierStatus": 10,
    "not_a_field": "x",
}


def at_reception(actors) -> str:
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    return code


def snapshot(code: str) -> dict[str, Any]:
    """The dossier's process variables, instance version, status, open steps and events."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        instance = session.scalar(
            select(ProcessInstance).where(ProcessInstance.dossier_id == dossier.id)
        )
        return {
            "data": runtime.load_instance(session, instance.id).run.latest_data(),
            "version": instance.version,
            "status": dossier.status,
            "agency": dossier.agency_id,
            "open": sorted(
                session.execute(
                    select(HumanTask.element_id, HumanTask.agency_id).where(
                        HumanTask.dossier_id == dossier.id, HumanTask.state == "open"
                    )
                ).all()
            ),
            "events": session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.dossier_id == dossier.id)
            ),
        }


def dossier_count() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Dossier))
