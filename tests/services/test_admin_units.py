"""Administrative units: the package's two-level list on a fresh install, then the portal's
catalog changes shown as a diff and applied only as shown; a merged commune whose agency no
plan covers stops every plan."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from app.models import AdminUnit, Agency
from app.services.core.actors import SYSTEM
from app.services.core.errors import Conflict
from app.services.reorganisation import admin_units, cutover
from app.storage.db import db
from tests.services import reorg_world as world

pytestmark = pytest.mark.simulators


def stage(portal_url: str, **change) -> None:
    requests.post(f"{portal_url}/_sim/admin-units", json=change, timeout=5).raise_for_status()


def test_a_fresh_install_knows_34_provinces_and_the_current_communes(app):
    counts = admin_units.counts()
    assert counts == {"active": 3355}  # 34 provinces + 3,321 communes and wards
    assert admin_units.diff_with_portal().empty


def test_catalog_changes_are_shown_then_applied_as_shown(app, portal_url):
    stage(
        portal_url,
        rename={"11977": "Xã Tân Hưng Mới"},
        merge={"11980": "11977"},
        abolish=["11983"],
        add=[{"code": "99001", "name": "Phường Thử", "level": "commune", "province_code": "33"}],
    )
    diff = admin_units.diff_with_portal()
    assert [r["code"] for r in diff.added] == ["99001"]
    assert [(r["code"], r["name"], old) for r, old in diff.renamed] == [
        ("11977", "Xã Tân Hưng Mới", "Xã Tân Hưng")
    ]
    assert [(r["code"], r["successor_code"]) for r in diff.merged] == [("11980", "11977")]
    assert [r["code"] for r in diff.abolished] == ["11983"]
    # the catalog changes again before the administrator confirms: nothing is applied
    stage(portal_url, rename={"11986": "Xã Khác"})
    with pytest.raises(Conflict, match="đã thay đổi từ lúc xem"):
        admin_units.apply_sync(diff.fingerprint, SYSTEM)
    with db.transaction() as session:
        assert session.get(AdminUnit, "11977").name == "Xã Tân Hưng"
    shown = admin_units.diff_with_portal()
    applied = admin_units.apply_sync(shown.fingerprint, SYSTEM)
    assert len(applied.rows()) == 5
    with db.transaction() as session:
        merged = session.get(AdminUnit, "11980")
        assert (merged.status, merged.successor_code) == ("merged", "11977")
        assert session.get(AdminUnit, "99001").status == "active"
        assert session.get(AdminUnit, "11983").status == "abolished"
    assert admin_units.diff_with_portal().empty


def test_a_commune_merged_in_the_catalog_must_be_in_the_plan(app, portal_url):
    world.build()
    stage(portal_url, merge={"12391": "12364"})
    diff = admin_units.diff_with_portal()
    admin_units.apply_sync(diff.fingerprint, SYSTEM)
    without_x3 = world.plan(
        agencies=[a for a in world.plan_body()["agencies"] if a["from"] != "X3"]
    )
    with pytest.raises(cutover.PlanRefused) as refused:
        cutover.record_plan(without_x3, SYSTEM)
    assert (
        "UBND xã Quảng Châu: đơn vị hành chính 12391 đã sáp nhập vào 12364 nhưng cơ quan chưa có"
        " trong phương án" in refused.value.problems
    )
    with db.transaction() as session:
        assert session.scalar(select(Agency.active).where(Agency.code == "X3"))


def test_the_portal_down_is_a_clear_error(app):
    from app import settings

    settings.current.PORTAL_URL = "http://127.0.0.1:9"
    with pytest.raises(admin_units.PortalUnavailable, match="Không lấy được danh mục"):
        admin_units.diff_with_portal()
