"""What each source holds for one owner and one document type (002 §5.b Bước 2: "kiểm tra thủ
tục hành chính yêu cầu các thành phần hồ sơ có thể khai thác được từ Kho DL trên HTTT GQTTHC
hoặc trên Cổng DVCQG"), listed in the guide's order: this system's own warehouse, then the
portal's Kho DL, then the national databases (001 §II.2.b).

Every item found is listed with its metadata (number, issuer, issue date, validity); an item
past its validity or naming another owner is listed but not offered. A source that cannot be
asked is said so for that source only. Read-only: nothing is written here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from app import logs, settings
from app.domain.document_metadata import local_today, parse_day
from app.domain.document_owner import normal_identifier
from app.integrations.errors import IntegrationError
from app.integrations.national import NationalDbClient
from app.integrations.warehouse import WarehouseClient
from app.models import Document
from app.storage.db import db

log = logging.getLogger(__name__)
SOURCES = ("own", "portal", "national")  # the guide's order (002 §5.b Bước 2, 001 §II.2.b)
OWN_LIMIT = 5  # the newest stored documents of a type shown from this system's warehouse


@dataclass(frozen=True)
class Item:
    """One document a source holds, as the panel shows it."""

    source: str
    ref: str
    name: str
    owner_id: str
    owner_name: str
    number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    valid_until: date | None = None
    indefinite: bool = False  # the source declares no time limit (never assumed)
    expired: bool = False
    other_owner: bool = False  # the source answered with another person's document

    @property
    def offered(self) -> bool:
        """Whether the citizen may be asked to confirm this item (valid, and the owner's)."""
        return not (self.expired or self.other_owner)

    @property
    def choice(self) -> str:
        """The value a form posts to choose this item."""
        return f"{self.source}:{self.ref}"


@dataclass(frozen=True)
class SourceAnswer:
    """What one source said: its items, or why it could not be asked."""

    source: str
    items: tuple[Item, ...] = ()
    error: str = ""  # technical; the screen words it as "not available now"

    @property
    def down(self) -> bool:
        """Whether the source could not be asked."""
        return bool(self.error)


def _day(value: Any) -> date | None:
    """A source's date, or None when it gives none or one that is not a date (not trusted)."""
    try:
        return parse_day(value or None)
    except ValueError:
        return None


def _text(*values: Any) -> str:
    return next((str(v).strip() for v in values if v not in (None, "") and str(v).strip()), "")


def _item(source: str, ref: str, owner_id: str, meta: dict[str, Any], asked: str) -> Item:
    """An item from a source's metadata; validity decided on today's Vietnamese date."""
    fields = meta.get("fields") if isinstance(meta.get("fields"), dict) else {}
    until = _day(_text(meta.get("valid_until"), fields.get("valid_until")))
    return Item(
        source=source,
        ref=ref,
        name=_text(meta.get("name"), meta.get("type_code")),
        owner_id=owner_id,
        owner_name=_text(meta.get("owner_name"), meta.get("full_name")),
        number=_text(
            meta.get("document_number"), fields.get("document_number"), meta.get("number")
        ),
        issuer=_text(meta.get("issuer"), fields.get("issuer")),
        issued_on=_day(
            _text(meta.get("issued_on"), fields.get("issued_on"), meta.get("valid_from"))
        ),
        valid_until=until,
        indefinite=until is None and _text(meta.get("validity")) == "indefinite",
        expired=until is not None and until < local_today(),
        other_owner=normal_identifier(owner_id) != normal_identifier(asked),
    )


def _own(owner_id: str, type_code: str, besides: int | None = None) -> list[Item]:
    """The owner's stored documents of the type, but not those of dossier `besides` (they are
    its own already, not reused)."""
    with db.transaction() as session:
        rows = session.scalars(
            select(Document)
            .where(
                Document.owner_id == owner_id,
                Document.type_code == type_code,
                Document.state == "stored",
                or_(Document.dossier_id.is_(None), Document.dossier_id != (besides or 0)),
            )
            .order_by(Document.stored_at.desc(), Document.id.desc())
            .limit(OWN_LIMIT)
        )
        return [
            _item(
                "own",
                str(d.id),
                d.owner_id or "",
                {
                    "name": d.name or d.type_code,
                    "owner_name": d.owner_name,
                    "valid_until": d.valid_until.isoformat() if d.valid_until else "",
                    "validity": d.validity or "",
                    "valid_from": d.valid_from.isoformat() if d.valid_from else "",
                    "fields": d.fields or {},
                },
                owner_id,
            )
            for d in rows
        ]


def _portal(owner_id: str, type_code: str, besides: int | None = None) -> list[Item]:
    config = settings.current
    documents = WarehouseClient(config.WAREHOUSE_URL, config.HTTP_TIMEOUT).list_documents(
        owner_id, type_code
    )
    # newest first, as this system's own documents are shown
    return [
        _item("portal", str(d.get("id") or ""), str(d.get("owner_id") or ""), d, owner_id)
        for d in reversed(documents)
        if isinstance(d, dict) and d.get("id") and d.get("type_code", type_code) == type_code
    ]


def _national(owner_id: str, type_code: str, besides: int | None = None) -> list[Item]:
    config = settings.current
    records = NationalDbClient(config.NATIONAL_DB_URL, config.HTTP_TIMEOUT).find_records(
        owner_id, type_code
    )
    return [
        _item("national", str(r.get("id") or ""), str(r.get("owner_id") or ""), r, owner_id)
        for r in records
        if isinstance(r, dict) and r.get("id") and r.get("type_code", type_code) == type_code
    ]


LISTERS = {"own": _own, "portal": _portal, "national": _national}


def ask(source: str, owner_id: str, type_code: str, besides: int | None = None) -> SourceAnswer:
    """What `source` holds of this owner and type; a source that fails is said so, not raised."""
    try:
        return SourceAnswer(source, tuple(LISTERS[source](owner_id, type_code, besides)))
    except IntegrationError as exc:
        log.warning("component lookup in %s failed: %s", source, logs.failure(exc))
        return SourceAnswer(source, error=str(exc))


def ask_all(owner_id: str, type_code: str, besides: int | None = None) -> tuple[SourceAnswer, ...]:
    """Every source, in the guide's order (each is shown: a down source does not hide the rest)."""
    return tuple(ask(source, owner_id, type_code, besides) for source in SOURCES)
