"""What an e-authentication step shows (001 §II.2.c Bước 1, §III.1 case 2): each out-of-scope
document of the dossier with where its e-authentication stands (not sent, sending, sent and
waiting, authenticated with the stored copy, refused with the reason, marked for a
supplement), a notice while the service cannot be reached, and what the officer may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.models import Document, OutboxMessage
from app.services.documents.e_authenticated_copies import COUNTER, latest, out_of_scope
from app.services.documents.e_authentication import DECIDABLE, WAITING, completion_problem

LABELS = {
    None: N_("Chưa gửi"),
    "queued": N_("Đang gửi"),
    "sent": N_("Đã gửi, chờ cơ quan quản lý trả lời"),
    "authenticated": N_("Đã xác thực điện tử"),
    "refused": N_("Bị từ chối"),
    "invalid_answer": N_("Câu trả lời không hợp lệ"),
    "supplement": N_("Yêu cầu bổ sung"),
}
COUNTER_LABELS = {None: N_("Chưa xác thực"), "authenticated": N_("Đã xác thực tại quầy")}
# Why a call failed, as an officer reads it (untranslated here, translated on the screen).
REASONS = (
    ("cannot connect", N_("không kết nối được tới dịch vụ xác thực")),
    ("timed out", N_("dịch vụ xác thực phản hồi quá chậm")),
    ("HTTP 5", N_("dịch vụ xác thực tạm thời không phục vụ")),
    ("HTTP 429", N_("dịch vụ xác thực đang quá tải")),
)


@dataclass(frozen=True)
class Notice:
    """A call the document waits on that failed: retrying, or given up on (an incident)."""

    given_up: bool
    attempts: int
    reason: str  # in words, untranslated
    next_at: datetime | None


@dataclass(frozen=True)
class Line:
    """One out-of-scope document and its e-authentication."""

    document_id: int
    name: str
    type_code: str
    storage_key: str
    pages: int
    state: str | None
    label: str  # untranslated
    authentication_id: int | None = None
    reason: str = ""
    note: str = ""
    authority: str = ""
    ref: str = ""
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    copy_id: int | None = None
    copy_key: str = ""
    notice: Notice | None = None

    @property
    def can_decide(self) -> bool:
        """Refused or answered wrongly: the officer resends it or asks for a supplement."""
        return self.state in DECIDABLE

    @property
    def can_resend(self) -> bool:
        """Refused, answered wrongly, or its call given up on."""
        return self.can_decide or bool(self.notice and self.notice.given_up)


@dataclass(frozen=True)
class Panel:
    route: str
    lines: list[Line]
    problem: str | None  # why the step cannot be completed yet

    @property
    def unsent(self) -> int:
        """How many documents the "send" button would send."""
        return sum(1 for line in self.lines if line.state in (None, "resent"))


def _words(error: str) -> str:
    return next((w for mark, w in REASONS if mark in error), N_("lỗi khi gọi dịch vụ xác thực"))


def _notice(call: OutboxMessage | None) -> Notice | None:
    if call is None or call.state not in ("pending", "incident") or not call.attempts:
        return None
    given_up = call.state == "incident"
    upcoming = None if given_up else call.next_attempt_at
    return Notice(given_up, call.attempts, _words(call.last_error or ""), upcoming)


def panel(session: Session, dossier_id: int, route: str) -> Panel:
    """The step's list of out-of-scope documents with their e-authentication (two queries
    besides the documents: the requests and the calls they wait on)."""
    documents = out_of_scope(session, dossier_id)
    rows = latest(session, dossier_id)
    waits = {
        row.answer_outbox_id if row.state == "sent" else row.send_outbox_id
        for row in rows.values()
        if row.state in WAITING
    } - {None}
    calls = (
        {c.id: c for c in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(waits)))}
        if waits
        else {}
    )
    copies = {r.copy_id for r in rows.values() if r.copy_id}
    keys = (
        dict(
            session.execute(
                select(Document.id, Document.storage_key).where(Document.id.in_(copies))
            ).all()
        )
        if copies
        else {}
    )
    labels = {**LABELS, **COUNTER_LABELS} if route == COUNTER else LABELS
    lines = []
    for document in documents:
        row = rows.get(document.id)
        state = row.state if row else None
        base = Line(
            document.id,
            document.name or document.type_code,
            document.type_code,
            document.storage_key or "",
            document.pages,
            state,
            labels.get(state, LABELS[None]),
        )
        if row is None:
            lines.append(base)
            continue
        waited = row.answer_outbox_id if row.state == "sent" else row.send_outbox_id
        lines.append(
            Line(
                **{
                    **base.__dict__,
                    "authentication_id": row.id,
                    "reason": row.reason,
                    "note": row.note,
                    "authority": row.authority_name,
                    "ref": row.ref or "",
                    "sent_at": row.sent_at,
                    "answered_at": row.answered_at,
                    "copy_id": row.copy_id,
                    "copy_key": keys.get(row.copy_id, "") or "",
                    "notice": _notice(calls.get(waited)) if state in WAITING else None,
                }
            )
        )
    return Panel(route, lines, completion_problem(session, dossier_id, route))
