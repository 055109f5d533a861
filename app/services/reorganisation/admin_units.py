"""The administrative units this system knows (danh mục đơn vị hành chính): loaded once from the
`vietnam-provinces` package, then synced from the portal's catalog — the changes shown as a
diff (added / renamed / merged / abolished) before they are applied, and applied only if the
catalog still says what was shown."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import settings
from app.domain.admin_units import all_units
from app.i18n import _l
from app.integrations.errors import IntegrationError
from app.integrations.portal import PortalClient
from app.models import AdminUnit
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, ServiceError
from app.storage.db import db


class PortalUnavailable(ServiceError):
    status = 502


@dataclass
class UnitsDiff:
    added: list[dict] = field(default_factory=list)
    renamed: list[tuple[dict, str]] = field(default_factory=list)  # (new row, old name)
    merged: list[dict] = field(default_factory=list)
    abolished: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether the portal's list and ours already agree."""
        return not (self.added or self.renamed or self.merged or self.abolished)

    @property
    def fingerprint(self) -> str:
        """What was shown: applying checks the catalog still gives this diff."""
        body = json.dumps(
            [self.added, self.renamed, self.merged, self.abolished], sort_keys=True, default=str
        )
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def rows(self) -> list[dict]:
        """Every changed unit, for the review table (added, renamed, merged, abolished)."""
        return [*self.added, *(r for r, _ in self.renamed), *self.merged, *self.abolished]


def ensure_loaded(session: Session) -> int:
    """The package's list when the table is empty (a fresh install); returns rows added."""
    if session.scalar(select(func.count()).select_from(AdminUnit)):
        return 0
    now = utcnow()
    session.add_all(
        AdminUnit(
            code=u.code,
            name=u.name,
            level=u.level,
            province_code=u.province_code,
            status="active",
            updated_at=now,
        )
        for u in all_units()
    )
    return len(all_units())


def _remote() -> list[dict]:
    config = settings.current
    try:
        return PortalClient(config.PORTAL_URL, config.HTTP_TIMEOUT).admin_units()
    except IntegrationError as exc:
        raise PortalUnavailable(
            _l("Không lấy được danh mục đơn vị hành chính từ Cổng DVCQG: %(exc)s", exc=exc)
        ) from exc


def diff_with_portal() -> UnitsDiff:
    """Compare our administrative units with the portal's list, before applying it."""
    remote = _remote()
    with db.transaction() as session:
        ensure_loaded(session)
        return _diff(session, remote)


def _diff(session: Session, remote: list[dict]) -> UnitsDiff:
    local = {u.code: u for u in session.scalars(select(AdminUnit))}
    diff = UnitsDiff()
    for row in remote:
        row = {
            k: row.get(k)
            for k in ("code", "name", "level", "province_code", "status", "successor_code")
        }
        unit = local.get(row["code"])
        if row["status"] == "merged":
            if (
                unit is None
                or unit.status != "merged"
                or unit.successor_code != row["successor_code"]
            ):
                diff.merged.append(row)
        elif row["status"] == "abolished":
            if unit is None or unit.status != "abolished":
                diff.abolished.append(row)
        elif unit is None or unit.status != "active":
            diff.added.append(row)
        elif unit.name != row["name"]:
            diff.renamed.append((row, unit.name))
    seen = {r["code"] for r in remote}
    diff.abolished += [
        {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "province_code": u.province_code,
            "status": "abolished",
            "successor_code": None,
        }
        for u in local.values()
        if u.code not in seen and u.status != "abolished"
    ]
    return diff


def apply_sync(fingerprint: str, actor: Actor) -> UnitsDiff:
    """Apply the diff the officer saw; Conflict when the catalog changed meanwhile."""
    remote = _remote()
    with db.transaction() as session:
        ensure_loaded(session)
        diff = _diff(session, remote)
        if diff.fingerprint != fingerprint:
            raise Conflict(_l("Danh mục trên Cổng đã thay đổi từ lúc xem; xem lại các thay đổi"))
        now = utcnow()
        for row in diff.rows():
            unit = session.get(AdminUnit, row["code"]) or AdminUnit(code=row["code"])
            unit.name, unit.level = row["name"], row["level"]
            unit.province_code = row["province_code"] or ""
            unit.status, unit.successor_code = row["status"], row["successor_code"]
            unit.updated_at = now
            session.add(unit)
        audit.record(
            session,
            "admin_units_synced",
            actor,
            dossier_id=None,
            added=len(diff.added),
            renamed=len(diff.renamed),
            merged=len(diff.merged),
            abolished=len(diff.abolished),
        )
        return diff


def counts() -> dict[str, int]:
    """How many administrative units we hold, by level."""
    with db.transaction() as session:
        ensure_loaded(session)
        return dict(
            session.execute(select(AdminUnit.status, func.count()).group_by(AdminUnit.status)).all()
        )
