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

from app import logs, settings
from app.domain.document_owner import Person, differences, fingerprint
from app.domain.documents import DOCUMENT_TYPES, document_type
from app.domain.messages import N_
from app.i18n import _, _l
from app.integrations.errors import IntegrationError
from app.integrations.national import NationalDbClient
from app.integrations.warehouse import WarehouseClient
from app.models import Document, Dossier, DossierComponent
from app.services.core import audit, visibility
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.documents import owner_check, reused_files
from app.services.documents.catalog import DIGITIZING_ROLES
from app.storage.db import db

log = logging.getLogger(__name__)
SOURCES = ("own", "portal", "national")
SOURCE_LABELS = {
    "own": N_("Kho dữ liệu của hệ thống"),
    "portal": N_("Kho DL trên Cổng DVCQG"),
    "national": N_("Cơ sở dữ liệu quốc gia"),
}
COMPARED = {"full_name": "Họ tên", "document_number": "Số hiệu giấy tờ"}
# What the data of a found document is called on screen, beside its type's own fields
DATA_LABELS = {
    "full_name": N_("Họ tên"),
    "birth_date": N_("Ngày sinh"),
    "owner_name": N_("Họ tên chủ sở hữu"),
    "storage_key": N_("Mã lưu trữ"),
    "key": N_("Mã lưu trữ"),
    "stored_at": N_("Thời điểm lưu"),
    "size": N_("Dung lượng (byte)"),
    "sha256": N_("Mã băm SHA-256"),
}
OWNER_KEY = "owner"  # under this key of a component's mismatch: the owner check and override


@dataclass(frozen=True)
class Found:
    source: str
    ref: str
    type_code: str
    name: str
    owner_id: str
    owner_name: str
    fields: dict[str, Any]
    owner_birth_date: str = ""

    @property
    def owner(self) -> Person:
        """Whom the document names as its owner."""
        return Person(self.owner_id, self.owner_name, self.owner_birth_date)


@dataclass
class Lookup:
    type_code: str
    owner_id: str
    found: Found | None = None
    tried: list[tuple[str, str]] = field(default_factory=list)  # (source, what happened)
    # where the found document's owner differs from the dossier's owner (or grantor)
    differences: dict[str, dict[str, str]] = field(default_factory=dict)
    expected: Person | None = None
    proxy_document: bool = False  # the document is the proxy's own, not the grantor's

    @property
    def fingerprint(self) -> str:
        """What the officer saw (document and differences), echoed by an override."""
        return fingerprint(self.found.ref, self.differences) if self.found else ""


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
            str((doc.fields or {}).get("birth_date") or ""),
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
        str(doc.get("owner_id") or owner_id),
        doc.get("owner_name") or "",
        extra,
        str(doc.get("birth_date") or ""),
    )


def _national(owner_id: str, type_code: str) -> Found | None:
    config = settings.current
    records = NationalDbClient(config.NATIONAL_DB_URL, config.HTTP_TIMEOUT).find_records(
        owner_id, type_code
    )
    if not records:
        return None
    record = records[0]
    fields = record.get("fields") or {}
    return Found(
        "national",
        str(record["id"]),
        type_code,
        record.get("name") or type_code,
        str(record.get("owner_id") or owner_id),  # whom the record says it belongs to
        record.get("full_name") or "",
        {"full_name": record.get("full_name") or "", **fields},
        str(fields.get("birth_date") or ""),
    )


FINDERS = {"own": _own, "portal": _portal, "national": _national}


def _expected(dossier_code: str, actor: Actor) -> tuple[str, Person, Person | None]:
    """The dossier's owner identifier, the person its documents must belong to, its proxy."""
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code, actor)
        expected = owner_check.expected_owner(session, dossier)
        return dossier.owner_id, expected, owner_check.proxy_of(dossier)


def lookup(dossier_code: str, type_code: str, actor: Actor) -> Lookup:
    """The first source, in priority order, that holds the document; what each source said;
    where the document's owner differs from the dossier's owner (or grantor)."""
    owner_id, expected, proxy = _expected(dossier_code, actor)
    type_code = (type_code or "").strip()
    if not type_code:
        raise InvalidInput(
            _l("Chọn loại giấy tờ cần tra cứu"), fields={"type_code": _l("bắt buộc")}
        )
    result = Lookup(type_code, owner_id, expected=expected)
    for source in SOURCES:
        try:
            found = FINDERS[source](owner_id, type_code)
        except IntegrationError as exc:
            log.warning("reuse lookup in %s failed: %s", source, logs.failure(exc))
            result.tried.append((source, _("không tra cứu được (%(exc)s)", exc=exc)))
            continue
        if found is None:
            result.tried.append((source, _("không có")))
            continue
        result.tried.append((source, _("có")))
        result.found = found
        result.differences = differences(expected, found.owner)
        result.proxy_document = bool(
            result.differences and proxy and not differences(proxy, found.owner)
        )
        break
    return result


def data_labels(type_code: str) -> dict[str, str]:
    """The labels of a found document's data (its type's fields first), untranslated."""
    return {**DATA_LABELS, **{f.name: f.label for f in document_type(type_code).fields}}


def check_offered(result: Lookup, source: str, ref: str) -> None:
    """InvalidInput unless (source, ref) is the document this lookup offers: a posted form
    cannot attach a document the officer was not shown."""
    if result.found is None or (result.found.source, result.found.ref) != (source, ref):
        raise InvalidInput(_l("Giấy tờ gửi lên không phải giấy tờ vừa tra cứu; hãy tra cứu lại"))


def _paper_mismatch(found: Found, paper: dict[str, str]) -> tuple[dict[str, Any], dict]:
    """Where the paper the citizen brought differs from the national record (the paper is
    taken): the mismatch and the data to keep."""
    mismatch, data = {}, dict(found.fields)
    if found.source == "national":
        for key, label in COMPARED.items():
            on_paper = " ".join((paper.get(key) or "").split())
            on_record = str(found.fields.get(key) or "")
            if on_paper and on_paper.casefold() != on_record.casefold():
                mismatch[key] = {"label": label, "paper": on_paper, "national": on_record}
                data[key] = on_paper
    return mismatch, data


def attach(
    dossier_code: str,
    source: str,
    ref: str,
    type_code: str,
    citizen_confirmed: bool,
    paper: dict[str, str],
    actor: Actor,
    override_reason: str = "",
    seen: str = "",
) -> dict[str, Any]:
    """Attach the document found at `source` (looked up again, so what is attached is what
    the source holds now) once the citizen has confirmed it; returns the component. A document
    whose owner differs from the dossier's owner (or grantor) needs an override reason, given
    for exactly the differences the officer saw (`seen`), and is audited."""
    if source not in SOURCES:
        raise InvalidInput(_l("Nguồn giấy tờ không hợp lệ"))
    if not citizen_confirmed:
        raise InvalidInput(
            _l("Công dân chưa xác nhận dùng giấy tờ này"),
            fields={"citizen_confirmed": _l("Cần công dân xác nhận trước khi đính kèm")},
        )
    owner_id, expected, _proxy = _expected(dossier_code, actor)
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
    owner_diff = differences(expected, found.owner)
    reason = ""
    if owner_diff:
        reason = owner_check.clean_reason(override_reason)
        if seen != fingerprint(found.ref, owner_diff):
            raise InvalidInput(
                _l("Giấy tờ hoặc sai khác về chủ sở hữu đã thay đổi từ lúc tra cứu; hãy xem lại")
            )
    mismatch, data = _paper_mismatch(found, paper)
    fetched, fetch_error = _fetch(found)
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code, actor)
        _not_attached_yet(session, dossier.id, source, found.ref)
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
        if source in reused_files.FETCHED_SOURCES:
            reused_files.attach_file(
                session, component, found.owner_id, fetched, fetch_error, actor
            )
        audit.record(
            session,
            "component_reused",
            actor,
            dossier_id=dossier.id,
            source=source,
            ref=found.ref,
            type_code=type_code,
            mismatch=sorted(mismatch),
            owner_mismatch=sorted(owner_diff),
        )
        if owner_diff:
            kept = owner_check.record_override(
                session,
                dossier,
                actor,
                owner_diff,
                reason,
                source=source,
                ref=found.ref,
                type_code=type_code,
            )
            component.mismatch = {**mismatch, OWNER_KEY: kept}
        return {
            "id": component.id,
            "source": source,
            "name": component.name,
            "mismatch": mismatch,
            "owner_override": bool(owner_diff),
            "document_id": component.document_id,
            "fetch_error": fetch_error,
        }


def _fetch(found: Found) -> tuple[dict[str, Any] | None, str]:
    """The found document's file fetched now (001 §II.1 Bước 3), or why it will be fetched in
    the background; InvalidInput when the source's file can never be taken."""
    if found.source not in reused_files.FETCHED_SOURCES:
        return None, ""
    try:
        return reused_files.fetch_now(found.source, found.ref, found.owner_id), ""
    except IntegrationError as exc:
        if not exc.retryable:
            raise reused_files.refused(SOURCE_LABELS[found.source], exc) from exc
        log.warning("fetching from %s failed, queued: %s", found.source, logs.failure(exc))
        return None, str(exc)


def _not_attached_yet(session: Any, dossier_id: int, source: str, ref: str) -> None:
    """Conflict when the same document is already a component (a replayed attach, or this
    system's copy of a file the dossier already reused from Kho DL or a national DB)."""
    same = (DossierComponent.source == source) & (DossierComponent.ref == ref)
    if source == "own" and ref.isdigit():
        same = same | (DossierComponent.document_id == int(ref))
    if session.scalar(
        select(DossierComponent.id).where(DossierComponent.dossier_id == dossier_id, same)
    ):
        raise Conflict(_l("Giấy tờ này đã được đính kèm vào hồ sơ"))


def components_of(dossier_code: str, actor: Actor) -> list[dict[str, Any]]:
    """List a dossier's components with the documents attached to each."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == dossier_code))
        if dossier is None or not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ %(dossier_code)s", dossier_code=dossier_code))
        listed = list(
            session.scalars(
                select(DossierComponent)
                .where(DossierComponent.dossier_id == dossier.id)
                .order_by(DossierComponent.id)
            )
        )
        fetching = reused_files.states(session, listed)
        return [
            {
                "id": c.id,
                "type_code": c.type_code,
                "name": c.name,
                "source": c.source,
                "source_label": SOURCE_LABELS[c.source],
                "ref": c.ref,
                "mismatch": {k: v for k, v in (c.mismatch or {}).items() if k != OWNER_KEY},
                "owner_check": (c.mismatch or {}).get(OWNER_KEY),
                "data": c.data or {},
                "document_id": c.document_id,
                "fetch": fetching.get(c.id),
                "confirmation": c.citizen_confirmation or {},
            }
            for c in listed
        ]
