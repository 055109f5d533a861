"""The national catalogues kept in step (003 §III.2.b Bước 1–3, 001 §II.2.b Bước 1–2, 001 §IV.1):
the portal's procedures, online services, agencies, fees and result/document type codes are
shown as a diff, then applied exactly as shown, in one transaction, or not at all."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from app.models import Agency, AuditEvent, CatalogSync, DocumentType, Fee, NationalEntry, Procedure
from app.services.catalogs import national_sync, procedure_catalog
from app.services.core.actors import SYSTEM
from app.services.core.errors import Conflict, Forbidden
from app.storage.db import db

pytestmark = pytest.mark.simulators


def stage(portal_url: str, **change) -> None:
    requests.post(f"{portal_url}/_sim/national-catalog", json=change, timeout=5).raise_for_status()


def national(portal_url: str) -> dict:
    return requests.get(f"{portal_url}/api/catalog/national", timeout=5).json()


def procedure_entry(portal_url: str, code: str) -> dict:
    return next(p for p in national(portal_url)["procedures"] if p["code"] == code)


def sync_rows() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(CatalogSync))


def procedure(code: str) -> Procedure:
    with db.transaction() as session:
        row = session.scalar(select(Procedure).where(Procedure.code == code))
        session.expunge_all()
        return row


def changed_fields(diff, catalog: str, code: str) -> dict:
    [change] = [c for c in diff.of(catalog) if c.code == code]
    return {f.field: (f.old, f.new) for f in change.fields}


def test_the_first_sync_adds_what_only_the_portal_lists_and_records_the_rest(app):
    diff = national_sync.diff_with_portal()
    assert [c.code for c in diff.of("procedure", "added")] == ["1.001193"]
    added = dict((f.field, f.new) for f in diff.of("procedure", "added")[0].fields)
    assert added["executing_levels"] == ["Cấp xã"] and added["result_type_code"] == "KQ.G15.000031"
    # several executing levels (province and commune) are national data of 1.005092
    assert changed_fields(diff, "procedure", "1.005092") == {
        "executing_levels": ([], ["Cấp tỉnh", "Cấp xã"])
    }
    assert [c.code for c in diff.of("agency", "added")] == ["000.22.33.H31"]
    assert [c.code for c in diff.of("document_type", "added")] == ["TK.HT.01"]
    assert len(diff.of("online_service", "added")) == 6
    # a fee kept by hand that no national procedure charges is flagged, not deleted
    assert [c.code for c in diff.of("fee", "gone")] == ["P042"]
    # a unit inside an agency is declared here only (003 §III.2.b Bước 2.1): not gone
    assert "000.01.12.H31" not in [c.code for c in diff.of("agency")]

    applied = national_sync.apply_sync(diff.fingerprint, SYSTEM)
    assert applied.fingerprint == diff.fingerprint
    assert national_sync.diff_with_portal().empty
    birth = procedure("1.001193")
    # a procedure new to us waits for its process model: inactive, none bound
    assert (birth.active, birth.model_version_id) == (False, None)
    assert birth.components[0] == {
        "type_code": "TK.HT.01",
        "name": "Tờ khai đăng ký khai sinh",
        "required": True,
    }
    with db.transaction() as session:
        merged = session.scalar(select(Agency).where(Agency.code == "000.22.33.H31"))
        assert (merged.active, merged.parent.code) == (False, "000.00.00.H31")
        assert session.scalar(select(Fee).where(Fee.code == "P042")) is not None
        assert session.get(NationalEntry, ("fee", "P042")).missing_since is not None
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.kind == "national_catalog_synced")
        )
        assert event.data["diff_id"] == diff.fingerprint
        assert event.data["procedure.added"] == 1


def test_a_changed_procedure_is_shown_field_by_field_and_local_configuration_survives(
    app, portal_url
):
    national_sync.apply_sync(national_sync.diff_with_portal().fingerprint, SYSTEM)
    with db.transaction() as session:
        row = session.scalar(select(Procedure).where(Procedure.code == "1.005092"))
        version_id = row.model_version_id
        row.step_durations = {"appraisal": 1.5}
        row.step_officers = {"appraisal": ["chuyenvien"]}
        row.receive_anywhere, row.result_e_only = True, True
        executing = sorted(a.code for a in row.agencies)
        session.get(Agency, row.agency_id).treasury_account = "3511.0.1234567"
    entry = procedure_entry(portal_url, "1.005092")
    stage(
        portal_url,
        set={
            "procedures": [
                {
                    **entry,
                    "duration_days": 3,
                    "fees": [{"code": "P196", "name": "Phí cấp bản sao", "amount": 12_000}],
                    "components": entry["components"][:1],
                }
            ]
        },
    )
    diff = national_sync.diff_with_portal()
    fields = changed_fields(diff, "procedure", "1.005092")
    assert fields["duration_days"] == (2.0, 3.0)
    assert len(fields["components"][0]) == 2 and len(fields["components"][1]) == 1
    assert changed_fields(diff, "fee", "P196") == {
        "name": ("Phí cấp bản sao, chứng thực bản sao", "Phí cấp bản sao"),
        "amount": (10_000, 12_000),
    }
    national_sync.apply_sync(diff.fingerprint, SYSTEM)

    after = procedure("1.005092")
    assert (after.duration_days, len(after.components)) == (3, 1)
    assert after.model_version_id == version_id
    assert after.step_durations == {"appraisal": 1.5}
    assert after.step_officers == {"appraisal": ["chuyenvien"]}
    assert (after.receive_anywhere, after.result_e_only, after.active) == (True, True, True)
    with db.transaction() as session:
        row = session.scalar(select(Procedure).where(Procedure.code == "1.005092"))
        assert sorted(a.code for a in row.agencies) == executing
        assert row.agency.treasury_account == "3511.0.1234567"
        assert session.scalar(select(Fee.amount).where(Fee.code == "P196")) == 12_000


def test_a_procedure_gone_from_the_portal_is_flagged_not_deleted(app, portal_url):
    national_sync.apply_sync(national_sync.diff_with_portal().fingerprint, SYSTEM)
    stage(
        portal_url,
        remove={"procedures": ["1.012250"], "online_services": ["1.012250@000.00.08.H31"]},
    )
    diff = national_sync.diff_with_portal()
    # its fee goes with it: no other national procedure charges P071
    assert [(c.catalog, c.code, c.kind) for c in diff.changes] == [
        ("fee", "P071", "gone"),
        ("procedure", "1.012250", "gone"),
        ("online_service", "1.012250@000.00.08.H31", "gone"),
    ]
    national_sync.apply_sync(diff.fingerprint, SYSTEM)
    assert procedure("1.012250").active
    [listed] = [p for p in procedure_catalog.procedures() if p["code"] == "1.012250"]
    assert listed["national_missing_since"] is not None
    # flagged once: the next diff has nothing new to say about it
    again = national_sync.diff_with_portal()
    assert again.empty and again.flagged == 3
    stage(portal_url, set={"procedures": [procedure_entry_default("1.012250")]})
    back = national_sync.diff_with_portal()
    assert changed_fields(back, "procedure", "1.012250") == {
        "national_status": ("missing", "listed")
    }


def procedure_entry_default(code: str) -> dict:
    from app.integrations.simulators.portal_tthc_data import catalogue

    return next(p for p in catalogue()["procedures"] if p["code"] == code)


def test_a_diff_is_applied_only_while_the_catalogue_and_ours_still_give_it(app, portal_url):
    shown = national_sync.diff_with_portal()
    stage(portal_url, set={"document_types": [{"code": "KQ.G15.000099", "name": "Giấy mới"}]})
    with pytest.raises(Conflict, match="đã thay đổi từ lúc xem"):
        national_sync.apply_sync(shown.fingerprint, SYSTEM)
    shown = national_sync.diff_with_portal()
    with db.transaction() as session:  # an analyst edits a catalog meanwhile
        session.scalar(select(DocumentType).where(DocumentType.code == "TK.000001")).name = "X"
    with pytest.raises(Conflict):
        national_sync.apply_sync(shown.fingerprint, SYSTEM)
    assert sync_rows() == 0
    with db.transaction() as session:
        assert (
            session.scalar(select(DocumentType).where(DocumentType.code == "KQ.G15.000099")) is None
        )


def test_the_catalogue_version_shown_may_name_what_to_apply(app, portal_url):
    shown = national_sync.diff_with_portal()
    national_sync.apply_sync(shown.version, SYSTEM)
    assert sync_rows() == 1
    with pytest.raises(Conflict):
        national_sync.apply_sync("2025.07.0000", SYSTEM)


def test_of_two_administrators_applying_the_same_diff_at_once_one_is_refused(app, actors):
    shown = national_sync.diff_with_portal().fingerprint
    outcomes: list[str] = []

    def apply() -> None:
        try:
            national_sync.apply_sync(shown, actors["quantri"])
            outcomes.append("applied")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["applied", "conflict"]
    assert sync_rows() == 1


def test_an_analyst_may_look_but_not_apply(app, actors):
    shown = national_sync.diff_with_portal()
    with pytest.raises(Forbidden):
        national_sync.apply_sync(shown.fingerprint, actors["phantich"])
    assert sync_rows() == 0


def test_flask_catalogs_sync_prints_the_diff_then_applies_the_id_it_printed(app, portal_url):
    cli = app.test_cli_runner()
    dry = cli.invoke(args=["catalogs", "sync"])
    assert dry.exit_code == 0, dry.output
    assert "+ 1.001193 Đăng ký khai sinh" in dry.output
    assert "    Cấp thực hiện: — → Cấp tỉnh; Cấp xã" in dry.output
    assert "- P042 " in dry.output and "Chạy thử: chưa áp dụng gì" in dry.output
    assert sync_rows() == 0
    diff_id = dry.output.strip().split()[-1]
    applied = cli.invoke(args=["catalogs", "sync", "--apply", diff_id])
    assert applied.exit_code == 0, applied.output
    assert sync_rows() == 1
    again = cli.invoke(args=["catalogs", "sync", "--apply", diff_id])
    assert again.exit_code == 1 and "đã thay đổi từ lúc xem" in again.output
    stage(portal_url, raw={"version": "x", "procedures": "all"})
    broken = cli.invoke(args=["catalogs", "sync"])
    assert broken.exit_code == 1 and "chưa áp dụng gì" in broken.output


def test_an_active_procedure_without_a_result_type_is_not_pointed_at_a_model(app, actors):
    """001 §IV.1: deploying a version to a procedure that could not issue its result is a
    problem located on the procedure's result type, not a failure at the leader's approval."""
    from app.services.core.errors import InvalidInput
    from app.services.process_models import models_repo

    with db.transaction() as session:
        row = session.scalar(select(Procedure).where(Procedure.code == "1.005092"))
        row.result_type_code, version_id = None, row.model_version_id
    with pytest.raises(InvalidInput, match="1.005092 chưa có loại kết quả") as refused:
        models_repo.use_version("1.005092", version_id, actors["phantich"])
    assert "result_type_code" in refused.value.fields


def test_a_failure_half_way_through_applying_leaves_nothing_applied(app, monkeypatch):
    from app.services.catalogs import national_sync as module

    def broken(*_args) -> None:
        raise RuntimeError("disk full")

    shown = national_sync.diff_with_portal()
    monkeypatch.setitem(module.WRITERS, "procedure", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        national_sync.apply_sync(shown.fingerprint, SYSTEM)
    assert sync_rows() == 0
    with db.transaction() as session:  # written before the failure, rolled back with it
        assert session.scalar(select(DocumentType).where(DocumentType.code == "TK.HT.01")) is None
        assert session.scalar(select(Agency).where(Agency.code == "000.22.33.H31")) is None
        assert session.scalar(select(func.count()).select_from(NationalEntry)) == 0
    monkeypatch.undo()
    national_sync.apply_sync(shown.fingerprint, SYSTEM)
    assert sync_rows() == 1


def test_an_agency_we_run_merged_on_the_portal_stays_active_until_a_plan_moves_it(app, portal_url):
    """003 §III.2.b Bước 2.2: officers and dossiers move by a reorganisation plan, not by the
    catalogue sync, which records the merger and shows it."""
    stage(
        portal_url,
        set={
            "agencies": [
                {"code": "000.00.07.H31", "status": "merged", "successor_code": "000.00.00.H31"}
            ]
        },
    )
    diff = national_sync.diff_with_portal()
    assert changed_fields(diff, "agency", "000.00.07.H31") == {
        "status": ("active", "merged"),
        "successor_code": (None, "000.00.00.H31"),
    }
    national_sync.apply_sync(diff.fingerprint, SYSTEM)
    with db.transaction() as session:
        assert session.scalar(select(Agency.active).where(Agency.code == "000.00.07.H31"))
        assert session.get(NationalEntry, ("agency", "000.00.07.H31")).payload["status"] == "merged"
    assert national_sync.diff_with_portal().empty
