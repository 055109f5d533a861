"""Citizens who come from the portal (single sign-on): their local account, their dossiers
and the results they download. Online submission and supplements are in `online`.

The portal vouches for the identity (a signed ID token, checked by the web layer's OIDC
client); here the local account is created or updated from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.domain.status import DossierStatus
from app.i18n import _l
from app.models import (
    Agency,
    CitizenAccount,
    Document,
    Dossier,
    DossierComponent,
    HumanTask,
)
from app.services.accounts.citizen_accounts import upsert_citizen
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput, NotFound
from app.storage.db import db
from app.storage.files import file_store


@dataclass(frozen=True)
class Citizen:
    id: int
    portal_account_id: str
    identifier_type: str
    identifier: str
    full_name: str

    @property
    def actor(self) -> Actor:
        """This citizen as the actor of what they do through the portal."""
        return Actor(None, f"{self.full_name} (công dân)")


def sign_in(claims: dict[str, Any]) -> Citizen:
    """The local account for the identity the portal vouched for (created or updated)."""
    if not claims.get("sub") or not claims.get("identifier"):
        raise InvalidInput(_l("Cổng DVCQG không cho biết danh tính"))
    account = {
        "id": claims["sub"],
        "identifier_type": claims.get("identifier_type") or "cccd",
        "identifier": claims["identifier"],
        "full_name": claims.get("name") or "",
        "gender": claims.get("gender"),
        "birth_date": claims.get("birthdate"),
        "permanent_address": claims.get("address"),
        "phone": claims.get("phone_number"),
        "email": claims.get("email"),
    }
    with db.transaction() as session:
        citizen, action, changed = upsert_citizen(session, account, claims.get("name") or "")
        audit.record(
            session,
            f"citizen_signed_in_{action}",
            Actor(None, citizen.full_name),
            dossier_id=None,
            portal_account_id=citizen.portal_account_id,
            fields=changed,
        )
        return _citizen(citizen)


def _citizen(row: CitizenAccount) -> Citizen:
    return Citizen(
        row.id, row.portal_account_id, row.identifier_type, row.identifier, row.full_name
    )


def get(citizen_id: int) -> Citizen | None:
    """Load a citizen signed in through the portal, or None."""
    with db.transaction() as session:
        row = session.get(CitizenAccount, citizen_id)
        return _citizen(row) if row else None


def _mine(citizen: Citizen):  # noqa: ANN202
    """Dossiers the citizen owns or submitted (linked to the account)."""
    return or_(
        Dossier.citizen_account_id == citizen.id,
        Dossier.portal_account_id == citizen.portal_account_id,
        Dossier.owner_id == citizen.identifier,
    )


def owns(citizen: Citizen, code: str) -> bool:
    """Whether the dossier is one the citizen owns or submitted."""
    with db.transaction() as session:
        return (
            session.scalar(select(Dossier.id).where(Dossier.code == code, _mine(citizen)))
            is not None
        )


def dossiers_of(citizen: Citizen) -> list[dict[str, Any]]:
    """List a citizen's own dossiers for their home page."""
    with db.transaction() as session:
        rows = session.scalars(select(Dossier).where(_mine(citizen)).order_by(Dossier.id.desc()))
        return [_summary(d) for d in rows]


def _summary(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code,
        "procedure": d.procedure.name,
        "procedure_code": d.procedure.code,
        "agency": d.agency.name,
        "status": d.status,
        "status_label": DossierStatus(d.status).label_vi if d.status else "",
        "received_at": d.received_at,
        "due_at": d.due_at,
        "finished_at": d.finished_at,
        "channel": d.channel,
    }


def dossier_of(citizen: Citizen, code: str) -> dict[str, Any]:
    """One of the citizen's dossiers with its steps; anyone else's is "not found"."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code, _mine(citizen)))
        if dossier is None:
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
        steps = [
            {
                "title": t.title,
                "state": t.state,
                "created_at": t.created_at,
                "completed_at": t.completed_at,
                "agency": agency,
            }
            for t, agency in session.execute(
                select(HumanTask, Agency.name)
                .join(Agency, Agency.id == HumanTask.agency_id)
                .where(HumanTask.dossier_id == dossier.id, HumanTask.state != "cancelled")
                .order_by(HumanTask.created_at)
            )
        ]
        components = _components(session, dossier)
        results = [
            {"id": d.id, "name": d.name or d.type_code, "key": d.storage_key}
            for d in session.scalars(
                select(Document)
                .where(
                    Document.dossier_id == dossier.id,
                    Document.state == "stored",
                    Document.source.in_(CITIZEN_DOWNLOADS),
                )
                .order_by(Document.id)
            )
        ]
        return {
            **_summary(dossier),
            "steps": steps,
            "components": components,
            "results": results,
        }


# What the citizen downloads from the dossier: its e-results, certified e-copies and the
# e-authenticated copies of its documents (001 §III.1 case 2: "Tệp tin hồ sơ chứng thực điện
# tử được đưa vào Kho dữ liệu cá nhân").
CITIZEN_DOWNLOADS = ("result", "certified_copy", "e_authenticated")
# The name of a file the citizen sent as a supplement ends with this (see online.py).
SUPPLEMENT_MARK = " (bổ sung)"
# A component's state in the citizen's words, by where it came from and how far it got.
ITEM_STATES = {
    ("scan", "draft"): N_("Đã nhận bản giấy, đang số hoá"),
    ("scan", "stored"): N_("Đã nhận và số hoá"),
    ("online", "draft"): N_("Đã nộp trực tuyến, chờ cơ quan xác nhận"),
    ("online", "stored"): N_("Đã nộp trực tuyến, cơ quan đã xác nhận"),
    ("online", "discarded"): N_("Không được chấp nhận"),
    ("supplement", "draft"): N_("Đã bổ sung, chờ cơ quan xác nhận"),
    ("supplement", "stored"): N_("Đã bổ sung, cơ quan đã xác nhận"),
    ("supplement", "discarded"): N_("Bổ sung không được chấp nhận"),
    ("reused", "own"): N_("Dùng lại từ kho dữ liệu của hệ thống"),
    ("reused", "portal"): N_("Dùng lại từ Kho DL trên Cổng DVCQG"),
    ("reused", "national"): N_("Dùng lại từ cơ sở dữ liệu quốc gia"),
}


def _components(session: Session, dossier: Dossier) -> list[dict[str, Any]]:
    """Every component of the procedure with what the dossier holds for it and its state,
    then what the dossier holds beside them. A reused document whose owner differed from the
    dossier's is shown only once an officer attached it with a stated reason."""
    items: list[dict[str, Any]] = []
    for c in session.scalars(
        select(DossierComponent)
        .where(DossierComponent.dossier_id == dossier.id)
        .order_by(DossierComponent.id)
    ):
        owner = (c.mismatch or {}).get("owner")
        if owner and not (owner.get("override") or {}).get("reason"):
            continue
        items.append(_item(c.type_code, c.name, "reused", ITEM_STATES[("reused", c.source)]))
    for d in session.scalars(
        select(Document)
        .where(Document.dossier_id == dossier.id, Document.source.in_(("scan", "online")))
        .order_by(Document.id)
    ):
        kind = "supplement" if (d.name or "").endswith(SUPPLEMENT_MARK) else d.source
        state = ITEM_STATES.get((kind, d.state))
        if state is None:  # a counter scan discarded and taken again is not the citizen's
            continue
        items.append(_item(d.type_code, d.name or d.type_code, kind, state, d.pages))
    listed = []
    for component in dossier.procedure.components or []:
        code = component.get("type_code")
        listed.append(
            {
                "type_code": code,
                "name": component.get("name") or code,
                "required": bool(component.get("required")),
                "held": [i for i in items if i["type_code"] == code],
            }
        )
    codes = {c["type_code"] for c in listed}
    others = [i for i in items if i["type_code"] not in codes]
    if others:
        listed.append(
            {"type_code": "", "name": N_("Giấy tờ khác"), "required": False, "held": others}
        )
    return listed


def _item(
    type_code: str, name: str, kind: str, state: str, pages: int | None = None
) -> dict[str, Any]:
    return {"type_code": type_code, "name": name, "kind": kind, "state": state, "pages": pages}


def result_file(citizen: Citizen, code: str, document_id: int) -> tuple[Path, str]:
    """A result or certified copy of one of the citizen's dossiers (anything else: 404)."""
    with db.transaction() as session:
        document = session.scalar(
            select(Document)
            .join(Dossier, Dossier.id == Document.dossier_id)
            .where(
                Document.id == document_id,
                Dossier.code == code,
                _mine(citizen),
                Document.state == "stored",
                Document.source.in_(CITIZEN_DOWNLOADS),
            )
        )
        if document is None:
            raise NotFound(_l("Không tìm thấy giấy tờ"))
        return file_store().path(document.file_sha256), f"{document.storage_key}.pdf"
