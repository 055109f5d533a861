"""Reusing documents the citizen already has (001 §II.2.b, 002 §4): looked up by owner
identifier and document-type code in priority order — this system's own warehouse, then the
portal's Kho DL, then the national databases — and attached to the dossier only after the
citizen confirms. Where the paper disagrees with the national record, the disagreement is
flagged and the paper's data is what is taken.

The lookup is interactive (the citizen waits at the counter) and read-only, so it calls the
other systems directly; nothing is written until `attach`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app import settings
from app.domain.documents import DOCUMENT_TYPES
from app.i18n import _, _l
from app.integrations.errors import IntegrationError
from app.integrations.national import NationalDbClient
from app.integrations.warehouse import WarehouseClient
from app.models import Document, Dossier, DossierComponent
from app.services.core import audit, visibility
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput, NotFound
from app.services.documents.catalog import DIGITIZING_ROLES
from app.storage.db import db

log = logging.getLogger(__name__)
SOURCES = ("own", "portal", "national")
SOURCE_LABELS = {
    "own": "Kho dữ liệu của hệ thống",
    "portal": "Kho DL trên Cổng DVCQG",
    "national": "Cơ sở dữ liệu quốc gia",
}
COMPARED = {"full_name": "Họ tên", "document_number": "Số hiệu giấy tờ"}


@dataclass(frozen=True)
class Found:
    source: str
    ref: str
    type_code: str
    name: str
    owner_id: str
    owner_name: str
    fields: dict[str, Any]


@dataclass
class Lookup:
    type_code: str
    owner_id: str
    found: Found | None = None
    tried: list[tuple[str, str]] = field(default_factory=list)  # (source, what happened)


def _dossier(session: Any, code: str, actor: Actor) -> Dossier:
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or not actor.sees_dossier(dossier.agency_id, dossier.receiving_agency_id):
        raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
    if (
        actor.acting_agency(DIGITIZING_ROLES, dossier.agency_id, dossier.receiving_agency_id)
        is None
    ):
        from app.services.core.errors import Forbidden

        raise Forbidden(_l("Chỉ cán bộ một cửa hoặc chuyên viên của cơ quan được đính kèm giấy tờ"))
    return dossier


def _own(owner_id: str, type_code: str) -> Found | None:
    with db.transaction() as session:
        doc = session.scalar(
            select(Document)
            .where(
                Document.owner_id == owner_id,
                Document.type_code == type_code,
                Document.state == "stored",
            )
            .order_by(Document.stored_at.desc(), Document.id.desc())
            .limit(1)
        )
        if doc is None:
            return None
        return Found(
            "own",
            str(doc.id),
            doc.type_code,
            doc.name or doc.type_code,
            doc.owner_id or owner_id,
            doc.owner_name or "",
            {**(doc.fields or {}), "storage_key": doc.storage_key},
        )


def _portal(owner_id: str, type_code: str) -> Found | None:
    config = settings.current
    documents = WarehouseClient(config.WAREHOUSE_URL, config.HTTP_TIMEOUT).list_documents(
        owner_id, type_code
    )
    if not documents:
        return None
    doc = documents[-1]
    extra = {k: v for k, v in doc.items() if k not in ("id", "owner_id", "type_code", "name")}
    return Found(
        "portal",
        str(doc["id"]),
        type_code,
        doc.get("name") or type_code,
        owner_id,
        doc.get("owner_name") or "",
        extra,
    )


def _national(owner_id: str, type_code: str) -> Found | None:
    config = settings.current
    records = NationalDbClient(config.NATIONAL_DB_URL, config.HTTP_TIMEOUT).find_records(
        owner_id, type_code
    )
    if not records:
        return None
    record = records[0]
    return Found(
        "national",
        str(record["id"]),
        type_code,
        record.get("name") or type_code,
        owner_id,
        record.get("full_name") or "",
        {"full_name": record.get("full_name") or "", **(record.get("fields") or {})},
    )


FINDERS = {"own": _own, "portal": _portal, "national": _national}


def lookup(dossier_code: str, type_code: str, actor: Actor) -> Lookup:
    """The first source, in priority order, that holds the document; what each source said."""
    with db.transaction() as session:
        owner_id = _dossier(session, dossier_code, actor).owner_id
    type_code = (type_code or "").strip()
    if not type_code:
        raise InvalidInput(
            _l("Chọn loại giấy tờ cần tra cứu"), fields={"type_code": _l("bắt buộc")}
        )
    result = Lookup(type_code, owner_id)
    for source in SOURCES:
        try:
            found = FINDERS[source](owner_id, type_code)
        except IntegrationError as exc:
            log.warning("reuse lookup in %s failed: %s", source, exc)
            result.tried.append((source, _("không tra cứu được (%(exc)s)", exc=exc)))
            continue
        if found is None:
            result.tried.append((source, _("không có")))
            continue
        result.tried.append((source, _("có")))
        result.found = found
        break
    return result


def attach(
    dossier_code: str,
    source: str,
    ref: str,
    type_code: str,
    citizen_confirmed: bool,
    paper: dict[str, str],
    actor: Actor,
) -> dict[str, Any]:
    """Attach the document found at `source` (looked up again, so what is attached is what
    the source holds now) once the citizen has confirmed it; returns the component."""
    if source not in SOURCES:
        raise InvalidInput(_l("Nguồn giấy tờ không hợp lệ"))
    if not citizen_confirmed:
        raise InvalidInput(
            _l("Công dân chưa xác nhận dùng giấy tờ này"),
            fields={"citizen_confirmed": _l("Cần công dân xác nhận trước khi đính kèm")},
        )
    with db.transaction() as session:
        owner_id = _dossier(session, dossier_code, actor).owner_id
    try:
        found = FINDERS[source](owner_id, type_code)
    except IntegrationError as exc:
        raise InvalidInput(
            _l(
                "Không tra cứu được %(source)s: %(exc)s",
                source=SOURCE_LABELS[source],
                exc=exc,
            )
        ) from exc
    if found is None or found.ref != ref:
        raise InvalidInput(_l("Giấy tờ không còn ở nguồn đã tra cứu; hãy tra cứu lại"))
    mismatch = {}
    data = dict(found.fields)
    if source == "national":
        for key, label in COMPARED.items():
            on_paper = " ".join((paper.get(key) or "").split())
            on_record = str(found.fields.get(key) or "")
            if on_paper and on_paper.casefold() != on_record.casefold():
                mismatch[key] = {"label": label, "paper": on_paper, "national": on_record}
                data[key] = on_paper  # the paper is taken; the mismatch stays on record
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code, actor)
        component = DossierComponent(
            dossier_id=dossier.id,
            type_code=type_code,
            name=found.name
            or (DOCUMENT_TYPES[type_code].name if type_code in DOCUMENT_TYPES else type_code),
            source=source,
            ref=found.ref,
            document_id=int(found.ref) if source == "own" else None,
            data=data,
            mismatch=mismatch,
            confirmed_by_id=actor.id,
        )
        session.add(component)
        session.flush()
        audit.record(
            session,
            "component_reused",
            actor,
            dossier_id=dossier.id,
            source=source,
            ref=found.ref,
            type_code=type_code,
            mismatch=sorted(mismatch),
        )
        return {
            "id": component.id,
            "source": source,
            "name": component.name,
            "mismatch": mismatch,
        }


def components_of(dossier_code: str, actor: Actor) -> list[dict[str, Any]]:
    """List a dossier's components with the documents attached to each."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == dossier_code))
        if dossier is None or not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ %(dossier_code)s", dossier_code=dossier_code))
        return [
            {
                "id": c.id,
                "type_code": c.type_code,
                "name": c.name,
                "source": c.source,
                "source_label": SOURCE_LABELS[c.source],
                "ref": c.ref,
                "mismatch": c.mismatch or {},
                "data": c.data or {},
            }
            for c in session.scalars(
                select(DossierComponent)
                .where(DossierComponent.dossier_id == dossier.id)
                .order_by(DossierComponent.id)
            )
        ]
