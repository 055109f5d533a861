"""The six mandatory fields of an issued result (001 §II.2.c "Một số yêu cầu"): the summary
(trích yếu) from the procedure and the approval, the validity and its scope from the
procedure's configuration, and, for an owner without a CCCD, the birth year and the issue
date and issuer of the identity paper the dossier was received with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.document_metadata import (
    DEFAULT_SCOPE,
    SCOPES,
    SUMMARY_MAX,
    WITHOUT_CCCD,
    as_year,
    local_today,
    parse_day,
    plain,
    validity_of,
)
from app.models import CitizenAccount, Document, Dossier, User


def describe_result(
    session: Session, document: Document, dossier: Dossier, signer: User | None
) -> None:
    """Fill the result's summary, validity, scope and owner details (001 §II.2.c)."""
    procedure = dossier.procedure
    today = local_today()
    decision = (
        f"lãnh đạo {signer.full_name} phê duyệt ngày {today:%d/%m/%Y}"
        if signer is not None
        else f"{dossier.agency.name} ban hành ngày {today:%d/%m/%Y}"
    )
    document.summary = plain(
        f"{document.name} cấp cho {dossier.owner_name} theo thủ tục “{procedure.name}” "
        f"(mã {procedure.code}), hồ sơ {dossier.code}; {decision}"
    )[:SUMMARY_MAX]
    document.validity, document.valid_until = validity_of(procedure.result_validity_months, today)
    document.valid_from = today
    scope = procedure.result_validity_scope
    document.validity_scope = scope if scope in SCOPES else DEFAULT_SCOPE
    if dossier.owner_id_type in WITHOUT_CCCD:
        for key, value in owner_details(session, dossier).items():
            setattr(document, key, value)


def owner_details(session: Session, dossier: Dossier) -> dict[str, Any]:
    """The birth year, identity paper issue date and issuer of a dossier's owner without a
    CCCD, from what reception recorded, then the owner's latest stored document that carries
    them (the same identity paper), then the citizen's account for the birth year; a value
    found nowhere is left out (the push names it, an officer completes it)."""
    data = dossier.data or {}
    found: dict[str, Any] = {}
    if as_year(data.get("owner_birth_year")):
        found["owner_birth_year"] = as_year(data.get("owner_birth_year"))
    try:
        issued = parse_day(data.get("owner_id_issued_on"))
    except ValueError:
        issued = None
    if issued:
        found["owner_id_issued_on"] = issued
    if plain(data.get("owner_id_issuer")):
        found["owner_id_issuer"] = plain(data.get("owner_id_issuer"))
    earlier = session.scalar(
        select(Document)
        .where(
            Document.owner_id == dossier.owner_id,
            Document.owner_id_type == dossier.owner_id_type,
            Document.state == "stored",
            Document.owner_id_issuer.is_not(None),
        )
        .order_by(Document.stored_at.desc(), Document.id.desc())
        .limit(1)
    )
    if earlier is not None:
        for key in ("owner_birth_year", "owner_id_issued_on", "owner_id_issuer"):
            if key not in found and getattr(earlier, key):
                found[key] = getattr(earlier, key)
    if "owner_birth_year" not in found and dossier.citizen_account_id:
        account = session.get(CitizenAccount, dossier.citizen_account_id)
        birth = as_year((account.birth_date or "")[:4]) if account else None
        if birth:
            found["owner_birth_year"] = birth
    return found
