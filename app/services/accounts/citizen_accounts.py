"""Citizens' local accounts, kept from what the portal says about them (the account check at
the counter, a sign-in through the portal)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CitizenAccount
from app.models.base import utcnow

# The portal profile's fields → the local account's (the portal says permanent_address).
_PROFILE = {
    "full_name": "full_name",
    "gender": "gender",
    "birth_date": "birth_date",
    "permanent_address": "address",
    "phone": "phone",
    "email": "email",
}


def upsert_citizen(
    session: Session, account: dict[str, Any], fallback_name: str = ""
) -> tuple[CitizenAccount, str, list[str]]:
    """The local account for a portal account, created or updated from the portal's profile
    (the portal is the source of truth; a blank there keeps ours); (account, action, fields)."""
    values = {
        local: (str(account[portal]).strip() or None) if account.get(portal) else None
        for portal, local in _PROFILE.items()
    }
    values["full_name"] = values["full_name"] or fallback_name
    citizen = session.scalar(
        select(CitizenAccount).where(CitizenAccount.portal_account_id == str(account["id"]))
    )
    if citizen is None:
        citizen = CitizenAccount(
            portal_account_id=str(account["id"]),
            identifier_type=str(account.get("identifier_type") or "cccd"),
            identifier=str(account.get("identifier") or ""),
            **values,
        )
        session.add(citizen)
        session.flush()
        return citizen, "created", sorted(k for k, v in values.items() if v)
    changed = sorted(k for k, v in values.items() if v is not None and getattr(citizen, k) != v)
    for key in changed:
        setattr(citizen, key, values[key])
    if changed:
        citizen.updated_at = utcnow()
    return citizen, ("updated" if changed else "unchanged"), changed
