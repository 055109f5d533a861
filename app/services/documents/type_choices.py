"""Which document type a file of a dossier may be stored as (loại giấy tờ được chọn): the
procedure's components first, the rest of the catalogue only behind an explicit "Khác…".

A default choice can therefore never store a birth certificate as the application form: a
type outside the components is accepted only when "Khác…" was chosen and the type named in
its own list.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _l
from app.models import Dossier, Procedure
from app.services.core.errors import InvalidInput, NotFound
from app.services.documents.catalog import type_catalog
from app.storage.db import db

OTHER = "khac"  # the value of the "Khác…" choice


@dataclass(frozen=True)
class TypeChoices:
    """The two lists a type choice shows: (type code, name) of each."""

    components: tuple[tuple[str, str], ...]
    others: tuple[tuple[str, str], ...]

    @property
    def codes(self) -> frozenset[str]:
        """Codes of the procedure's components."""
        return frozenset(code for code, _ in self.components)

    @property
    def other_codes(self) -> frozenset[str]:
        """Codes offered behind "Khác…"."""
        return frozenset(code for code, _ in self.others)


def _choices(session: Session, procedure: Procedure | None) -> TypeChoices:
    catalogue = type_catalog(session)
    components: list[tuple[str, str]] = []
    for component in procedure.components or [] if procedure else []:
        code = str(component.get("type_code") or "")
        if code and code not in dict(components):
            components.append((code, str(component.get("name") or code)))
    listed = dict(components)
    others = tuple(
        sorted(
            ((code, t.name) for code, t in catalogue.items() if code not in listed),
            key=lambda pair: pair[1],
        )
    )
    return TypeChoices(tuple(components), others)


def for_dossier(dossier_code: str) -> TypeChoices:
    """The type choices for a file of this dossier (its procedure's components first)."""
    with db.transaction() as session:
        procedure = session.scalar(
            select(Procedure)
            .join(Dossier, Dossier.procedure_id == Procedure.id)
            .where(Dossier.code == dossier_code)
        )
        if procedure is None:
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=dossier_code))
        return _choices(session, procedure)


def resolve(choices: TypeChoices, type_code: str, other_code: str) -> str:
    """The type chosen: one of the components, or, only when "Khác…" was chosen, a type of
    the rest of the catalogue. InvalidInput names the field to correct."""
    type_code, other_code = (type_code or "").strip(), (other_code or "").strip()
    if type_code == OTHER:
        if other_code in choices.other_codes or other_code in choices.codes:
            return other_code
        raise InvalidInput(
            _l("Chọn loại giấy tờ trong danh sách «Khác…»"),
            fields={"other_type_code": _l("Chọn một loại giấy tờ của danh mục")},
        )
    if type_code in choices.codes:
        return type_code
    if not type_code:
        raise InvalidInput(_l("Chọn loại giấy tờ"), fields={"type_code": _l("bắt buộc")})
    raise InvalidInput(
        _l("Loại giấy tờ %(code)s không thuộc thành phần hồ sơ của thủ tục", code=type_code),
        fields={
            "type_code": _l(
                "Không thuộc thành phần của thủ tục: chọn «Khác…» nếu đúng là loại giấy tờ này"
            )
        },
    )
