"""What citizens do through the national portal, delivered to the process as BPMN messages
(003 §IV.3.c): withdraw the dossier (only before it is accepted)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine import WorkflowFailed
from app.i18n import _l
from app.models import AuditEvent, Dossier, ProcessInstance
from app.models.base import utcnow
from app.services.core import audit, runtime
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound, listed
from app.services.dossiers import dossier_fees
from app.storage.db import db

WITHDRAW_MESSAGE = "rut_ho_so"
SUPPLEMENT_MESSAGE = "bo_sung"
PAYMENT_MESSAGE = "thanh_toan"
PORTAL = Actor(None, "Công dân (qua Cổng DVCQG)")
# The keys each action carries from the portal; any other key is refused, named, so that no
# payload can smuggle a process variable (agency, fees, status...) in beside them.
FIELDS: dict[str, frozenset[str]] = {
    "submit": frozenset(
        {
            "procedure_code",
            # the performing agency the citizen chose on the portal (002 §4.a Bước 1)
            "agency_code",
            "owner_id_type",
            "owner_id",
            "owner_name",
            "phone",
            "email",
            "summary",
            "form",
            "components",
            "account_id",
        }
    ),
    "withdraw": frozenset({"reason"}),
    "supplement": frozenset({"note", "documents"}),
    "pay": frozenset({"amount", "transaction_id"}),
}


def refuse_unknown(given: Iterable[str], allowed: Iterable[str]) -> None:
    """Raise InvalidInput (422) naming every key of `given` outside `allowed`."""
    unknown = sorted(set(map(str, given)) - set(allowed))
    if unknown:
        names = listed(unknown)
        raise InvalidInput(
            _l("Yêu cầu có trường không được chấp nhận: %(names)s", names=names),
            fields={k: _l("không thuộc yêu cầu này") for k in unknown},
        )


def withdraw(dossier_code: str, reason: str, actor: Actor = PORTAL) -> int:
    """Withdraw a dossier the agency has not accepted yet; returns its new status. Once it is
    accepted the process no longer waits for the message and the request is refused."""
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 2000:
        raise InvalidInput(
            _l("Lý do rút hồ sơ: bắt buộc, 5–2000 ký tự"), fields={"reason": _l("5–2000 ký tự")}
        )
    with db.transaction() as session:
        instance_id, dossier_id = _instance(session, dossier_code)
        loaded = runtime.load_instance(session, instance_id, actor)
        changes = _deliver(loaded, WITHDRAW_MESSAGE, {"reason": reason})
        if changes is None:
            raise Conflict(
                _l(
                    "Hồ sơ đã được tiếp nhận hoặc đã kết thúc nên không thể rút; đề nghị "
                    "liên hệ cơ quan giải quyết"
                )
            )
        audit.record(session, "dossier_withdrawn", actor, dossier_id=dossier_id, reason=reason)
        runtime.commit_run(session, loaded, changes, actor, completed_by=actor)
        return session.scalar(select(Dossier.status).where(Dossier.id == dossier_id))


def clean_note(note: str | None) -> str:
    """A citizen's note as kept: invisible format characters dropped, spaces collapsed."""
    visible = "".join(ch for ch in note or "" if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split())


def empty_supplement() -> InvalidInput:
    """The refusal of a supplement that carries neither a note nor a document."""
    return InvalidInput(
        _l("Hồ sơ bổ sung đang trống: nhập ghi chú hoặc đính kèm ít nhất một giấy tờ"),
        fields={"note": _l("Nhập ghi chú hoặc chọn tệp"), "files": _l("Chọn tệp giấy tờ")},
    )


def _documents(documents: Any) -> list[str]:
    """The document references a supplement names: non-blank texts (≤ 50 of them)."""
    if not isinstance(documents, list) or len(documents) > 50:
        raise InvalidInput(_l("documents phải là danh sách (≤ 50 giấy tờ)"))
    if not all(isinstance(d, str) for d in documents):
        raise InvalidInput(_l("Mỗi giấy tờ bổ sung là một chuỗi ký tự (mã hoặc tên)"))
    return [d.strip()[:200] for d in documents if d.strip()]


def supplement(
    dossier_code: str,
    note: str,
    documents: list[str],
    actor: Actor = PORTAL,
    attach: Callable[[Session, int], list[str]] | None = None,
) -> int:
    """The citizen's supplement sent online while the dossier waits for it (status 5): the
    process goes back to processing and the clock resumes; refused when nothing is awaited
    and when it is empty (no note, no document: blank ones do not count)."""
    note = clean_note(note)
    if len(note) > 2000:
        raise InvalidInput(_l("Nội dung bổ sung không hợp lệ (ghi chú ≤ 2000 ký tự, ≤ 50 giấy tờ)"))
    documents = _documents(documents)
    if not note and not documents and attach is None:
        raise empty_supplement()
    with db.transaction() as session:
        instance_id, dossier_id = _instance(session, dossier_code)
        loaded = runtime.load_instance(session, instance_id, actor)
        if attach is not None:
            # files uploaded with it are stored in the same transaction as the message
            documents = [*documents, *attach(session, dossier_id)]
        if not note and not documents:
            raise empty_supplement()
        payload = {"note": note, "documents": documents}
        changes = _deliver(loaded, SUPPLEMENT_MESSAGE, payload)
        if changes is None:
            raise Conflict(_l("Hồ sơ không ở trạng thái chờ bổ sung"))
        audit.record(session, "supplement_received_online", actor, dossier_id=dossier_id, **payload)
        runtime.commit_run(session, loaded, changes, actor, completed_by=actor)
        return session.scalar(select(Dossier.status).where(Dossier.id == dossier_id))


def _deliver(loaded: runtime.Loaded, message: str, payload: dict[str, Any]) -> Any:
    """The message delivered to the process; a model that fails on it (a script over its
    limits, say) refuses the action with the element named, never a 500."""
    try:
        return loaded.run.deliver_message(message, payload)
    except WorkflowFailed as exc:
        raise InvalidInput(_l("Quy trình báo lỗi: %(exc)s", exc=exc)) from exc


def _instance(session, dossier_code: str) -> tuple[int, int]:  # noqa: ANN001
    row = session.execute(
        select(ProcessInstance.id, Dossier.id)
        .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
        .where(Dossier.code == dossier_code)
    ).one_or_none()
    if row is None:
        raise NotFound(_l("Không tìm thấy hồ sơ %(dossier_code)s", dossier_code=dossier_code))
    return row[0], row[1]


def submit_online(values: dict[str, Any]) -> str:
    """A dossier submitted on the portal (path A): registered with status 1, waiting for the
    agency's reception; returns its code. A key beside FIELDS["submit"] is refused; the
    portal's own form stays whole under `online_form`."""
    from app.services.dossiers.reception import ReceiveDossier, receive_dossier

    refuse_unknown(values, FIELDS["submit"])
    form = values.get("form") or {}
    components = values.get("components") or []
    if not isinstance(form, dict) or not isinstance(components, list) or len(components) > 50:
        raise InvalidInput(_l("form phải là đối tượng, components là danh sách (≤ 50)"))
    return receive_dossier(
        ReceiveDossier(
            procedure_code=str(values.get("procedure_code") or ""),
            owner_id_type=str(values.get("owner_id_type") or "cccd"),
            owner_id=str(values.get("owner_id") or ""),
            owner_name=str(values.get("owner_name") or ""),
            phone=str(values["phone"]) if values.get("phone") else None,
            email=str(values["email"]) if values.get("email") else None,
            summary=str(values.get("summary") or "")[:1000],
            channel="online",
            agency_code=str(values.get("agency_code") or "")[:32],
            extra={
                "online_form": form,
                "online_components": [str(c)[:200] for c in components],
                "portal_account_id": str(values.get("account_id") or ""),
            },
        ),
        PORTAL,
    )


def waiting_for(dossier_code: str) -> dict[str, Any]:
    """What the citizen may do now (the messages the process waits for), the fee due and the
    supplement asked for."""
    with db.transaction() as session:
        instance_id, _ = _instance(session, dossier_code)
        run = runtime.load_instance(session, instance_id).run
        data = run.latest_data()
        return {
            "messages": run.waiting_messages(),
            "fee_amount": int(data.get("fee_amount") or 0),
            "supplement_request": str(data.get("supplement_request") or ""),
        }


def already_paid(dossier_code: str, transaction_id: str) -> bool:
    """Whether this payment transaction was already applied (a replayed callback)."""
    with db.transaction() as session:
        _, dossier_id = _instance(session, dossier_code)
        return any(
            e.data.get("transaction_id") == transaction_id
            for e in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.dossier_id == dossier_id, AuditEvent.kind == "fee_paid"
                )
            )
        )


def pay(dossier_code: str, amount: int, transaction_id: str, actor: Actor = PORTAL) -> int:
    """The fee paid on the portal (status 6 → processing); the amount must be what is due."""
    transaction_id = (transaction_id or "").strip()
    if not transaction_id or len(transaction_id) > 64:
        raise InvalidInput(_l("Mã giao dịch thanh toán: bắt buộc, ≤ 64 ký tự"))
    with db.transaction() as session:
        instance_id, dossier_id = _instance(session, dossier_code)
        loaded = runtime.load_instance(session, instance_id, actor)
        if PAYMENT_MESSAGE not in loaded.run.waiting_messages():
            raise Conflict(_l("Hồ sơ không chờ nộp phí"))
        due = int(loaded.run.latest_data().get("fee_amount") or 0)
        if amount != due:
            raise InvalidInput(
                _l(
                    "Số tiền %(amount)s đ không khớp số phải nộp %(due)s đ",
                    amount=format(amount, ","),
                    due=format(due, ","),
                ).replace(",", "."),
                fields={"amount": _l("không khớp")},
            )
        payload = {"amount": amount, "transaction_id": transaction_id}
        # every fee waiting for an online payment is settled by it (003 §II.1.b)
        dossier_fees.mark_paid_online(
            session,
            dossier_id,
            transaction_id=transaction_id,
            receipt_no=transaction_id,
            payer=loaded.dossier.owner_name,
            paid_at=utcnow(),
        )
        changes = _deliver(loaded, PAYMENT_MESSAGE, payload)
        audit.record(session, "fee_paid", actor, dossier_id=dossier_id, **payload)
        runtime.commit_run(session, loaded, changes, actor, completed_by=actor)
        return session.scalar(select(Dossier.status).where(Dossier.id == dossier_id))
