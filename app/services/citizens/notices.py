"""Queueing the citizen's SMS and e-mail when the dossier reaches a status they must hear
about (templates in app.domain.citizen_notices); delivered by the worker with retries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.domain.citizen_notices import NOTIFIED, notice_for
from app.domain.status import DossierStatus
from app.models import Dossier, Procedure
from app.services.core import audit, fees, outbox
from app.services.core.actors import SYSTEM, Actor

if TYPE_CHECKING:
    from app.services.core.runtime import DossierRef


def on_status_change(
    session: Session, dossier: DossierRef, previous: int, status: DossierStatus, actor: Actor
) -> None:
    """After a status is recorded: tell the citizen, when this status is one they are told of."""
    queue(session, dossier, status)


def queue(session: Session, dossier: DossierRef, status: DossierStatus) -> None:
    """Queue the SMS and e-mail telling a citizen their dossier reached `status`."""
    """Queue the SMS and e-mail telling the citizen of `status` (when configured and wanted)."""
    if status not in NOTIFIED:
        return
    config = settings.current
    sms_on, mail_on = bool(config.SMS_GATEWAY_URL), bool(config.MAIL_SERVER)
    if not (sms_on or mail_on):
        return
    phone, email = session.execute(
        select(Dossier.phone, Dossier.email).where(Dossier.id == dossier.id)
    ).one()
    if not (phone and sms_on) and not (email and mail_on):
        return
    amount = 0
    if status == DossierStatus.PAYMENT_REQUESTED:
        amount = fees.amount_due(session, session.get(Procedure, dossier.procedure_id))
    notice = notice_for(
        status, dossier.code, dossier.procedure_name, config.NATIONAL_PORTAL_URL, amount
    )
    if notice is None:
        return
    channels = []
    if phone and sms_on:
        outbox.add(session, "sms.send", {"to": phone, "text": notice.sms}, dossier_id=dossier.id)
        channels.append("sms")
    if email and mail_on:
        outbox.add(
            session,
            "mail.send",
            {"to": email, "subject": notice.subject, "body": notice.body},
            dossier_id=dossier.id,
        )
        channels.append("email")
    audit.record(
        session,
        "citizen_notified",
        SYSTEM,
        dossier_id=dossier.id,
        status=int(status),
        channels=channels,
        subject=notice.subject,
    )
