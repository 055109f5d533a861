"""The agency tree: where an agency sits (its province or ministry at the top)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Agency


def province_of(session: Session, agency_id: int) -> int:
    """The id of the top of the agency's tree (its province or ministry); a parent chain that
    loops back stops where it would repeat."""
    seen: set[int] = set()
    while agency_id not in seen:
        seen.add(agency_id)
        parent = session.scalar(select(Agency.parent_id).where(Agency.id == agency_id))
        if parent is None:
            break
        agency_id = parent
    return agency_id


def ids_by_code(session: Session) -> dict[str, int]:
    """Every agency's id by its code (active or not)."""
    return dict(session.execute(select(Agency.code, Agency.id)).all())
