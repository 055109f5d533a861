"""Operators that run inside the step's own transaction (no worker, no outbox).

A BPMN service task naming one of these completes in the same engine step: linking the
citizen's local account to the portal account, recording a paper shipment. They touch only
this system's database, so the step either does all of it or none of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.engine import LocalCalls
from app.i18n import _, _l
from app.models import Agency, Dossier, PaperShipment
from app.models.base import utcnow
from app.services.accounts.citizen_accounts import upsert_citizen
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput

if TYPE_CHECKING:
    from app.services.core.runtime import DossierRef

Fn = Callable[[Session, "DossierRef", Actor, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class LocalOperator:
    name: str
    params: dict[str, type]
    call: Fn
    description: str
    # run by the worker after the step that reaches it commits (see `deferred`), `check`
    # asked in that step first
    check: Callable[[Session, DossierRef, dict[str, Any]], None] | None = None

    @property
    def deferred(self) -> bool:
        """Whether the worker runs it after the step that reaches it (it has a `check`)."""
        return self.check is not None


def link_account(
    session: Session, dossier: DossierRef, actor: Actor, p: dict[str, Any]
) -> dict[str, Any]:
    """Create the local account from the portal's profile, or update it, and link the dossier
    to it (001 §II.2.a). Returns the profile the forms are filled from."""
    account = p["account"]
    if not isinstance(account, dict) or not account.get("id"):
        raise InvalidInput(_l("Cổng DVCQG không trả về tài khoản để liên kết"))
    account = {"identifier": dossier.owner_id, **account}
    citizen, action, changed = upsert_citizen(session, account, dossier.owner_name)
    session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id)
        .values(citizen_account_id=citizen.id, portal_account_id=citizen.portal_account_id)
    )
    audit.record(
        session,
        f"citizen_account_{action}",
        actor,
        dossier_id=dossier.id,
        portal_account_id=citizen.portal_account_id,
        fields=changed,
    )
    return {
        "citizen_id": citizen.id,
        "portal_account_id": citizen.portal_account_id,
        "action": action,
        "full_name": citizen.full_name,
        "gender": citizen.gender or "",
        "birth_date": citizen.birth_date or "",
        "address": citizen.address or "",
        "phone": citizen.phone or "",
        "email": citizen.email or "",
    }


def _agency(session: Session, code: str, what: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code, Agency.active.is_(True)))
    if agency is None:
        raise InvalidInput(_l("Không có cơ quan %(what)s mã %(code)r", what=what, code=code))
    return agency


def send_paper(
    session: Session, dossier: DossierRef, actor: Actor, p: dict[str, Any]
) -> dict[str, Any]:
    """Record paper handed to the postal service (BCCI) with its tracking code."""
    code = str(p["tracking_code"]).strip().upper()
    if not 6 <= len(code) <= 32 or not code.replace("-", "").isalnum():
        raise InvalidInput(
            _l("Mã vận đơn BCCI phải có 6–32 chữ hoặc số"),
            fields={"tracking_code": _l("Mã vận đơn phải có 6–32 chữ hoặc số")},
        )
    direction = p["direction"]
    if direction not in ("dossier", "result"):
        raise InvalidInput(_l("Chiều gửi không hợp lệ: %(direction)r", direction=direction))
    sender, receiver = (
        _agency(session, p["from_agency"], _("gửi")),
        _agency(session, p["to_agency"], _("nhận")),
    )
    shipment = PaperShipment(
        dossier_id=dossier.id,
        direction=direction,
        tracking_code=code,
        from_agency_id=sender.id,
        to_agency_id=receiver.id,
        item_count=int(p.get("item_count") or 1),
        note=str(p.get("note") or "")[:1000],
        sent_at=utcnow(),
    )
    session.add(shipment)
    session.flush()
    audit.record(
        session,
        "paper_sent",
        actor,
        dossier_id=dossier.id,
        shipment_id=shipment.id,
        direction=direction,
        tracking_code=code,
        to=receiver.name,
    )
    return {"shipment_id": shipment.id, "tracking_code": code}


def receive_paper(
    session: Session, dossier: DossierRef, actor: Actor, p: dict[str, Any]
) -> dict[str, Any]:
    """Record the arrival of a shipment; the code read off the parcel must match."""
    shipment = session.get(PaperShipment, int(p["shipment_id"]))
    if shipment is None or shipment.dossier_id != dossier.id:
        raise InvalidInput(_l("Không tìm thấy vận đơn của hồ sơ này"))
    seen = str(p.get("tracking_code") or "").strip().upper()
    if seen and seen != shipment.tracking_code:
        raise InvalidInput(
            _l(
                "Mã vận đơn %(seen)s không khớp với %(tracking_code)s đã gửi",
                seen=seen,
                tracking_code=shipment.tracking_code,
            ),
            fields={"received_tracking_code": _l("Mã vận đơn không khớp với mã đã gửi")},
        )
    if shipment.received_at is None:
        shipment.received_at = utcnow()
        shipment.received_note = str(p.get("note") or "")[:1000] or None
        audit.record(
            session,
            "paper_received",
            actor,
            dossier_id=dossier.id,
            shipment_id=shipment.id,
            tracking_code=shipment.tracking_code,
        )
    return {"received": True}


def certify_in_scope(
    session: Session, dossier: DossierRef, actor: Actor, p: dict[str, Any]
) -> dict[str, Any]:
    """Certified e-copies (agency signature) of the in-scope components (001 §II.2.c)."""
    from app.services.documents import certified_copies

    keys = certified_copies.certify_in_scope(session, dossier.id, actor)
    return {"certified": len(keys), "keys": keys}


def issue_result(
    session: Session, dossier: DossierRef, actor: Actor, p: dict[str, Any]
) -> dict[str, Any]:
    """Issue the e-result: rendered, signed by the approving leader and the agency, stored;
    returns what the store step sends to Kho DL (document_id, file_sha256, storage_key…)."""
    from app.services.documents import results

    return results.issue_result(session, dossier.id, p, actor)


def check_issuable(session: Session, dossier: DossierRef, p: dict[str, Any]) -> None:
    """What issuing would refuse (no result type, no approved draft), refused in the approval."""
    from app.services.documents import results

    results.check_issuable(session, dossier.id, p)


LOCAL_OPERATORS: dict[str, LocalOperator] = {
    op.name: op
    for op in (
        LocalOperator(
            "citizen.link_account",
            {"account": dict},
            link_account,
            _l("Tạo hoặc cập nhật tài khoản công dân từ Cổng DVCQG và liên kết với hồ sơ"),
        ),
        LocalOperator(
            "documents.certify_in_scope",
            {},
            certify_in_scope,
            _l("Sao y điện tử (ký số cơ quan) các thành phần thuộc phạm vi quản lý"),
        ),
        LocalOperator(
            "documents.issue_result",
            {"type_code": str},
            issue_result,
            _l("Phát hành kết quả điện tử (ký số lãnh đạo và cơ quan, lưu trữ)"),
            check_issuable,
        ),
        LocalOperator(
            "paper.send",
            {"direction": str, "tracking_code": str, "from_agency": str, "to_agency": str},
            send_paper,
            _l("Ghi nhận gửi hồ sơ giấy qua bưu chính công ích (BCCI)"),
        ),
        LocalOperator(
            "paper.receive",
            {"shipment_id": int},
            receive_paper,
            _l("Ghi nhận nhận hồ sơ giấy từ bưu chính công ích (BCCI)"),
        ),
    )
}


# Rendering and signing the e-result (~100 ms of CPU, two signatures) would hold the
# approving leader's request: the worker issues it once the approval has committed.
DEFERRED = frozenset(name for name, op in LOCAL_OPERATORS.items() if op.deferred)


def bind(session: Session, dossier: DossierRef, actor: Actor) -> LocalCalls:
    """The local operators, bound to one step's transaction, dossier and actor; the deferred
    ones are only checked here (the worker runs them: `run_deferred`)."""

    def call(name: str, params: dict[str, Any]) -> dict[str, Any]:
        return LOCAL_OPERATORS[name].call(session, dossier, actor, params)

    def check(name: str, params: dict[str, Any]) -> None:
        LOCAL_OPERATORS[name].check(session, dossier, params)  # type: ignore[misc]

    return LocalCalls(frozenset(LOCAL_OPERATORS) - DEFERRED, call, DEFERRED, check)


def run_deferred(
    session: Session, dossier: DossierRef, actor: Actor, name: str, params: dict[str, Any]
) -> dict[str, Any]:
    """Run a deferred operator's call in the worker's transaction, for `actor` (who completed
    the step that reached it); returns the task's result."""
    return LOCAL_OPERATORS[name].call(session, dossier, actor, params)
