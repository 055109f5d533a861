"""Sending out-of-scope documents to their managing agency for e-authentication (gửi cơ quan
quản lý xác thực điện tử giấy tờ ngoài phạm vi) and taking its answer.

001 §II.2.c Bước 1: a document that is the result of a procedure outside the agency's scope is
scanned and signed, and the signed file is sent "đến cơ quan quản lý giấy tờ này để kiểm tra,
số hoá theo quy định". From the step's screen the officer sends each such document of the
dossier (`send`): a request row and an outbox call in one transaction, so a document is either
queued for sending or not at all; the worker sends the file under the outbox row's key (a retry
is answered with the first request) and, once sent, asks for the answer until it comes
(`record_sent`, `record_answer`). The answer is checked before anything keeps it: it must be
about the request sent (its reference, the file's SHA-256), and the copy must be the file sent
with a valid signature of the managing agency added. A refusal is shown with its reason; the
officer resends or marks the document for a supplement (`resend`, `mark_for_supplement`). The
step cannot be completed while a document is not sent, unanswered or refused without a
decision (`completion_problem`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app import settings
from app.documents import signing
from app.documents.pki import demo_pki
from app.domain.document_metadata import plain
from app.i18n import _, _l
from app.models import Agency, Document, DocumentAuthentication, Dossier, OutboxMessage
from app.models.base import utcnow
from app.services.core import audit, outbox
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.documents.e_authenticated_copies import (
    COUNTER,
    MANAGING,
    document_of,
    latest,
    out_of_scope,
    store_copy,
    task_for,
)
from app.services.documents.storage import warehouse_metadata
from app.storage.db import db
from app.storage.files import file_store

SEND, ANSWER = "eauth.send", "eauth.answer"
WAITING = ("queued", "sent")
DECIDABLE = ("refused", "invalid_answer")
MAX_NOTE = 1000


def request_of(row: DocumentAuthentication, document: Document, dossier: Dossier) -> dict:
    """What the managing agency receives with the file: our reference, the sending agency,
    the dossier's owner (whose procedure it is: the agency refuses another person's document)
    and the document's six metadata fields (001 §II.2.c "Một số yêu cầu")."""
    agency: Agency = dossier.agency
    return {
        "request_id": f"{dossier.code}/{row.id}",
        "dossier_code": dossier.code,
        "sender": {"agency_code": agency.code, "agency_name": agency.name},
        "owner": {"id_type": dossier.owner_id_type, "id": dossier.owner_id},
        "metadata": warehouse_metadata(document, dossier.code),
    }


def _queue(session: Session, document: Document, dossier: Dossier, actor: Actor) -> None:
    row = DocumentAuthentication(
        dossier_id=dossier.id,
        document_id=document.id,
        route=MANAGING,
        state="queued",
        sent_sha256=document.file_sha256,
        requested_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    row.send_outbox_id = outbox.add_tracked(
        session,
        SEND,
        {
            "authentication_id": row.id,
            "file_sha256": document.file_sha256,
            "request": request_of(row, document, dossier),
        },
        dossier_id=dossier.id,
    )
    audit.record(
        session,
        "e_authentication_requested",
        actor,
        dossier_id=dossier.id,
        document_id=document.id,
        authentication_id=row.id,
    )


def send(task_id: str, actor: Actor) -> int:
    """Send every out-of-scope document of the step's dossier not sent yet; the number sent.
    A document already sent is not sent twice (two clicks, two officers)."""
    with db.transaction() as session:
        task = task_for(session, task_id, actor, MANAGING)
        dossier = session.get(Dossier, task.dossier_id)
        documents = [document_of(session, task, d.id) for d in out_of_scope(session, dossier.id)]
        if not documents:
            raise InvalidInput(_l("Hồ sơ không có giấy tờ nào được phân loại là ngoài phạm vi"))
        done = latest(session, dossier.id)
        sent = 0
        for document in documents:
            if document.id not in done or done[document.id].state == "resent":
                _queue(session, document, dossier, actor)
                sent += 1
        return sent


def _decidable(session: Session, task_id: str, authentication_id: int, actor: Actor):  # noqa: ANN202
    task = task_for(session, task_id, actor, MANAGING)
    row = session.get(DocumentAuthentication, authentication_id, with_for_update=True)
    if row is None or row.dossier_id != task.dossier_id or row.route != MANAGING:
        raise NotFound(_l("Không tìm thấy yêu cầu xác thực"))
    if latest(session, row.dossier_id).get(row.document_id) is not row:
        raise Conflict(_l("Yêu cầu này đã được gửi lại"))
    return task, row


def _given_up(session: Session, row: DocumentAuthentication) -> bool:
    """Whether the call the row waits on was given up on (an incident)."""
    outbox_id = row.answer_outbox_id if row.state == "sent" else row.send_outbox_id
    call = session.get(OutboxMessage, outbox_id) if outbox_id else None
    return call is not None and call.state == "incident"


def resend(task_id: str, authentication_id: int, actor: Actor) -> None:
    """Send a refused document again (after the officer checked it), or one whose sending or
    answer was given up on; the earlier request is kept, marked as resent."""
    with db.transaction() as session:
        task, row = _decidable(session, task_id, authentication_id, actor)
        if row.state not in DECIDABLE and not (row.state in WAITING and _given_up(session, row)):
            raise Conflict(_l("Chỉ gửi lại giấy tờ bị từ chối hoặc chưa gửi được"))
        document = document_of(session, task, row.document_id)
        row.state, row.decided_by_id = "resent", actor.id
        _queue(session, document, session.get(Dossier, row.dossier_id), actor)


def mark_for_supplement(task_id: str, authentication_id: int, note: str, actor: Actor) -> None:
    """The officer's decision on a refused document: the citizen supplies it again (the
    appraisal's supplement request names it), with the officer's note."""
    text = plain(note)
    with db.transaction() as session:
        _task, row = _decidable(session, task_id, authentication_id, actor)
        if not text:
            raise InvalidInput(_l("Ghi rõ giấy tờ cần bổ sung"), fields={"note": _l("Bắt buộc")})
        if row.state not in DECIDABLE:
            raise Conflict(_l("Chỉ yêu cầu bổ sung giấy tờ bị từ chối"))
        row.state, row.note, row.decided_by_id = "supplement", text[:MAX_NOTE], actor.id
        audit.record(
            session,
            "e_authentication_supplement",
            actor,
            dossier_id=row.dossier_id,
            document_id=row.document_id,
            authentication_id=row.id,
            note=row.note,
        )


def _ask_later(session: Session, row: DocumentAuthentication, delay: float) -> None:
    row.answer_outbox_id = outbox.add_tracked(
        session,
        ANSWER,
        {"authentication_id": row.id, "ref": row.ref},
        dossier_id=row.dossier_id,
        not_before=utcnow() + timedelta(seconds=delay) if delay else None,
    )


def _authority(value: Any) -> tuple[str, str]:
    given = value if isinstance(value, dict) else {}
    return plain(given.get("code"))[:64], plain(given.get("name"))[:255]


def record_sent(session: Session, params: dict[str, Any], result: dict[str, Any]) -> None:
    """The service took the file (its reference: ask for the answer now) or refused it at once
    (the reason is shown); a replayed result changes nothing."""
    row = session.get(DocumentAuthentication, params.get("authentication_id"), with_for_update=True)
    if row is None or row.state != "queued":
        return
    now = utcnow()
    if result.get("status") == "refused":
        _refused(session, row, result.get("reason"), now)
        return
    row.ref = plain(result.get("ref"))[:64] or None
    row.authority_code, row.authority_name = _authority(result.get("authority"))
    row.state, row.sent_at = "sent", now
    if row.ref is None:
        _reject(session, row, _("Dịch vụ xác thực không trả về số tham chiếu của yêu cầu"))
        return
    audit.record(
        session,
        "e_authentication_sent",
        SYSTEM,
        dossier_id=row.dossier_id,
        document_id=row.document_id,
        authentication_id=row.id,
        ref=row.ref,
        authority=row.authority_name,
    )
    _ask_later(session, row, 0)


def _reject(session: Session, row: DocumentAuthentication, problem: str) -> None:
    """An answer that failed the checks: nothing is kept, the officer sees why."""
    row.state, row.reason, row.answered_at = "invalid_answer", problem[:2000], utcnow()
    audit.record(
        session,
        "e_authentication_answer_rejected",
        SYSTEM,
        dossier_id=row.dossier_id,
        document_id=row.document_id,
        authentication_id=row.id,
        problem=row.reason,
    )


def _about_problem(row: DocumentAuthentication, answer: dict[str, Any]) -> str | None:
    """Why the answer is not about the request sent, or None."""
    about = answer.get("request") if isinstance(answer.get("request"), dict) else {}
    code = f"/{row.id}"
    if answer.get("id") != row.ref or not str(about.get("request_id") or "").endswith(code):
        return _("Câu trả lời không phải cho yêu cầu đã gửi (số tham chiếu khác)")
    if about.get("sha256") != row.sent_sha256:
        return _("Câu trả lời nói về một tệp khác với tệp đã gửi")
    if _authority(answer.get("authority")) != (row.authority_code, row.authority_name):
        return _("Câu trả lời đến từ cơ quan khác với cơ quan đã nhận yêu cầu")
    return None


def copy_problem(sent_sha256: str, copy_sha256: str, authority_name: str) -> str | None:
    """Why a returned copy is not the e-authenticated copy of the file sent, or None: it must
    be that file with signatures added after it (an incremental update), every signature valid
    and trusted, the last one the managing agency's."""
    store = file_store()
    if not copy_sha256 or not store.exists(copy_sha256) or not store.verify(copy_sha256):
        return _("Không nhận được tệp bản xác thực")
    sent = store.path(sent_sha256).read_bytes()
    with store.open(copy_sha256) as handle:
        head = handle.read(len(sent) + 1)
    if len(head) <= len(sent) or not head.startswith(sent):
        return _("Tệp trả về không phải là tệp đã gửi có thêm chữ ký của cơ quan quản lý")
    verdicts = signing.verify(store.path(copy_sha256), [demo_pki().ca_cert_path])
    bad = [v for v in verdicts if not v.ok]
    if bad:
        return _("Chữ ký trên bản xác thực không hợp lệ: %(why)s", why=bad[0].message)
    if not verdicts or verdicts[-1].signer != authority_name:
        return _("Bản xác thực không có chữ ký số của %(name)s", name=authority_name or "—")
    return None


def record_answer(session: Session, params: dict[str, Any], result: dict[str, Any]) -> None:
    """Take the managing agency's answer: still pending (ask again later), refused (with its
    reason), or the e-authenticated copy, checked, then stored and attached to the dossier. A
    second answer for a request already answered, or one not about the request, keeps nothing."""
    row = session.get(DocumentAuthentication, params.get("authentication_id"), with_for_update=True)
    answer = result.get("answer") if isinstance(result.get("answer"), dict) else {}
    if row is None or row.ref is None or row.state != "sent":
        audit.record(
            session,
            "e_authentication_answer_ignored",
            SYSTEM,
            dossier_id=row.dossier_id if row else None,
            authentication_id=params.get("authentication_id"),
            state=row.state if row else None,
            status=plain(answer.get("status"))[:32],
        )
        return
    problem = _about_problem(row, answer)
    if problem:
        _reject(session, row, problem)
        return
    status = answer.get("status")
    if status == "pending":
        _ask_later(session, row, settings.current.E_AUTHENTICATION_POLL_SECONDS)
        return
    if status == "refused":
        _refused(session, row, answer.get("reason"), utcnow())
        return
    if status != "authenticated":
        _reject(session, row, _("Câu trả lời không rõ kết quả xác thực"))
        return
    copy_sha = str(result.get("copy_sha256") or "")
    problem = copy_problem(row.sent_sha256, copy_sha, row.authority_name)
    if problem:
        _reject(session, row, problem)
        return
    origin = session.get(Document, row.document_id)
    authority = (row.authority_code, row.authority_name)
    copy = store_copy(session, origin, copy_sha, authority, row.ref, SYSTEM)
    row.state, row.copy_id, row.answered_at = "authenticated", copy.id, utcnow()


def completion_problem(session: Session, dossier_id: int, route: str) -> str | None:
    """Why the step that e-authenticates the dossier's out-of-scope documents by `route`
    cannot be completed yet (naming the documents), or None."""
    documents = out_of_scope(session, dossier_id)
    rows = latest(session, dossier_id)

    def names(keep: Callable[[str | None], bool]) -> str:
        states = {d.id: rows[d.id].state if d.id in rows else None for d in documents}
        return ", ".join(d.name or d.type_code for d in documents if keep(states[d.id]))

    if route == COUNTER:
        if missing := names(lambda state: state != "authenticated"):
            return _("Chưa xác thực điện tử tại quầy: %(names)s", names=missing)
        return None
    if missing := names(lambda state: state in (None, "resent")):
        return _("Chưa gửi cơ quan quản lý xác thực: %(names)s", names=missing)
    if waiting := names(lambda state: state in WAITING):
        return _("Đang chờ cơ quan quản lý trả lời: %(names)s", names=waiting)
    if refused := names(lambda state: state in DECIDABLE):
        return _("Bị từ chối xác thực, hãy gửi lại hoặc yêu cầu bổ sung: %(names)s", names=refused)
    return None


def _refused(session: Session, row: DocumentAuthentication, reason: Any, at: datetime) -> None:
    """Record the managing agency's refusal of `row` with its reason, audited."""
    row.state, row.answered_at = "refused", at
    row.reason = plain(reason)[:2000] or _("Không nêu lý do")
    audit.record(
        session,
        "e_authentication_refused",
        SYSTEM,
        dossier_id=row.dossier_id,
        document_id=row.document_id,
        authentication_id=row.id,
        reason=row.reason,
    )
