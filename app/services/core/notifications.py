"""Notifications to officers: who is told what, read and unread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import settings
from app.models import Dossier, Notification, User, UserRole
from app.models.base import utcnow
from app.services.core import outbox
from app.services.core.actors import Actor
from app.storage.db import db

_TABLE = Notification.__table__


@dataclass(frozen=True)
class Notice:
    user_id: int
    kind: str
    message: str
    dossier_id: int | None = None
    task_id: str | None = None


def send(session: Session, notices: list[Notice]) -> None:
    """Insert many notifications in one statement; with a mail server configured, each is also
    queued as an e-mail to the officer (delivered by the worker, retried like any call)."""
    if notices and settings.current.MAIL_SERVER:
        _queue_mail(session, notices)
    if notices:
        now = utcnow()
        session.connection().execute(
            _TABLE.insert(),
            [
                {
                    "user_id": n.user_id,
                    "kind": n.kind,
                    "message": n.message[:500],
                    "dossier_id": n.dossier_id,
                    "task_id": n.task_id,
                    "created_at": now,
                }
                for n in notices
            ],
        )


def _queue_mail(session: Session, notices: list[Notice]) -> None:
    addresses = dict(
        session.execute(
            select(User.id, User.email).where(
                User.id.in_({n.user_id for n in notices}), User.email.is_not(None)
            )
        ).all()
    )
    for notice in notices:
        if addresses.get(notice.user_id):
            outbox.add(
                session,
                "mail.send",
                {
                    "to": addresses[notice.user_id],
                    "subject": notice.message[:120],
                    "body": notice.message,
                },
                dossier_id=notice.dossier_id,
            )


def notify(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    message: str,
    *,
    dossier_id: int | None = None,
    task_id: str | None = None,
) -> None:
    """Leave a notification for each of `user_ids` (in the caller's transaction)."""
    send(
        session,
        [Notice(uid, kind, str(message), dossier_id, task_id) for uid in sorted(set(user_ids))],
    )


def holders(session: Session, role: str, agency_id: int) -> list[int]:
    """Active officers holding `role` in the agency."""
    return list(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, UserRole.agency_id == agency_id, User.active)
        )
    )


def unread_count(user_id: int) -> int:
    """How many notifications a user has not read yet."""
    with db.transaction() as session:
        return (
            session.scalar(
                select(func.count(Notification.id)).where(
                    Notification.user_id == user_id, Notification.read_at.is_(None)
                )
            )
            or 0
        )


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    message: str
    dossier_code: str | None
    task_id: str | None
    created_at: datetime
    read: bool


def for_user(actor: Actor, limit: int = 50) -> list[Item]:
    """List a person's latest notifications."""
    with db.transaction() as session:
        rows = session.execute(
            select(Notification, Dossier.code)
            .outerjoin(Dossier, Dossier.id == Notification.dossier_id)
            .where(Notification.user_id == actor.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        ).all()
        return [
            Item(n.id, n.kind, n.message, code, n.task_id, n.created_at, n.read_at is not None)
            for n, code in rows
        ]


def mark_all_read(actor: Actor) -> int:
    """Mark every notification of a person as read; how many were unread."""
    with db.transaction() as session:
        return session.execute(
            update(Notification)
            .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        ).rowcount
