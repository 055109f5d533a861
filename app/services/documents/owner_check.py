"""Whose document it is (đối chiếu chủ sở hữu): the person a dossier's documents must belong to
(its owner; under a power of attorney the grantor, who is the dossier's owner, never the
proxy), and the officer's override when a document of someone else is attached anyway.

The rules themselves are pure (`app.domain.document_owner`); here they meet the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.document_owner import Person, differences, normal_identifier
from app.i18n import _l
from app.models import CitizenAccount, Dossier
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput

REASON_MIN, REASON_MAX = 10, 500


def expected_owner(session: Session, dossier: Dossier) -> Person:
    """The person the dossier's documents must belong to: its owner, named the grantor when
    a proxy filed it; the birth date from the citizen's account when one is linked or known."""
    account = None
    if dossier.citizen_account_id is not None:
        account = session.get(CitizenAccount, dossier.citizen_account_id)
    if account is None or normal_identifier(account.identifier) != normal_identifier(
        dossier.owner_id
    ):
        account = session.scalar(
            select(CitizenAccount).where(CitizenAccount.identifier == dossier.owner_id).limit(1)
        )
    birth = str((dossier.data or {}).get("owner_birth_date") or "") or (
        (account.birth_date or "") if account is not None else ""
    )
    role = "grantor" if (dossier.data or {}).get("proxy") else "owner"
    return Person(dossier.owner_id, dossier.owner_name, birth, role)


def proxy_of(dossier: Dossier) -> Person | None:
    """The proxy (người được ủy quyền) who filed the dossier, if one did."""
    proxy = (dossier.data or {}).get("proxy")
    if not isinstance(proxy, dict):
        return None
    return Person(str(proxy.get("id") or ""), str(proxy.get("name") or ""), role="proxy")


def belongs_to_proxy(dossier: Dossier, found: Person) -> bool:
    """Whether a document that is not the grantor's is the proxy's own."""
    proxy = proxy_of(dossier)
    return proxy is not None and not differences(proxy, found) and bool(found.identifier)


def check(session: Session, dossier: Dossier, found: Person) -> dict[str, dict[str, str]]:
    """What differs between the document's owner and the dossier's owner (or grantor)."""
    return differences(expected_owner(session, dossier), found)


def clean_reason(reason: str | None) -> str:
    """The override reason, spaces collapsed; InvalidInput when missing or out of bounds."""
    text = " ".join((reason or "").split())
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise InvalidInput(
            _l(
                "Giấy tờ không khớp với chủ hồ sơ: chỉ đính kèm khi ghi rõ lý do "
                "(%(low)s–%(high)s ký tự)",
                low=REASON_MIN,
                high=REASON_MAX,
            ),
            fields={
                "override_reason": _l(
                    "Nhập lý do đính kèm (%(low)s–%(high)s ký tự)", low=REASON_MIN, high=REASON_MAX
                )
            },
        )
    return text


def record_override(
    session: Session,
    dossier: Dossier,
    actor: Actor,
    diff: dict[str, dict[str, str]],
    reason: str,
    **what: Any,
) -> dict[str, Any]:
    """Audit the officer's override (who, what differed, why); returns what the component
    keeps of it."""
    kept = {
        "differences": diff,
        "override": {
            "reason": reason,
            "by_id": actor.id,
            "by": actor.name,
            "at": utcnow().isoformat(),
        },
    }
    audit.record(
        session,
        "component_owner_override",
        actor,
        dossier_id=dossier.id,
        differences=diff,
        reason=reason,
        **what,
    )
    return kept
