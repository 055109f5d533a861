"""The DMN table choose_department sends processing to a department (phòng) of the agency."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Agency, HumanTask
from app.services.dossiers import dossier_queries, inbox, queries
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def agency_of(task: HumanTask) -> str:
    with db.transaction() as session:
        return session.get(Agency, task.agency_id).code


def test_the_copy_procedure_goes_to_the_department_and_its_officers(actors):
    code = receive_dossier(
        ReceiveDossier("1.005092", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhan"]
    )
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    appraisal = open_task(code, "appraisal")
    assert agency_of(appraisal) == "000.01.12.H31"
    pool = {t.dossier_code for t in inbox.inbox(actors["chuyenvienhc"]).pool}
    assert code in pool
    assert code not in {t.dossier_code for t in inbox.inbox(actors["chuyenvien"]).pool}
    # the department's officer opens the dossier of the Sở, and works the step
    assert dossier_queries.dossier_detail(code, actors["chuyenvienhc"]).dossier["code"] == code
    complete(
        code, "appraisal", actors["chuyenvienhc"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    assert agency_of(open_task(code, "approval")) == "000.01.12.H31"
    # reception steps stay at the counter of the Sở
    with db.transaction() as session:
        reception = session.scalar(select(HumanTask).where(HumanTask.element_id == "reception"))
        assert session.get(Agency, reception.agency_id).code == "000.00.12.H31"


def test_other_procedures_stay_with_the_agency(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    assert agency_of(open_task(code, "appraisal")) == "000.00.12.H31"
    assert code in {t.dossier_code for t in inbox.inbox(actors["chuyenvien"]).pool}


def test_a_step_with_one_named_officer_goes_straight_to_that_officer(actors):
    from sqlalchemy import update

    from app.models import Procedure

    with db.transaction() as session:
        session.execute(
            update(Procedure)
            .where(Procedure.code == "2.000488")
            .values(step_officers={"appraisal": ["chuyenvien"], "approval": ["tiepnhan"]})
        )
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    appraisal = open_task(code, "appraisal")
    assert appraisal.assignee_id == actors["chuyenvien"].id and appraisal.claimed_at
    assert code in {t.dossier_code for t in inbox.inbox(actors["chuyenvien"]).mine}
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    # a named officer without the step's role (reception officer for the approval) is ignored
    assert open_task(code, "approval").assignee_id is None


def test_consultation_asks_other_agencies_in_parallel_and_returns_to_appraisal(actors):
    from app.services.dossiers import tasks

    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {
            "decision": "consult",
            "appraisal_note": "Cần ý kiến công an và phòng HCTP",
            "consult_agency_codes": "000.00.07.H31, 000.01.12.H31",
        },
    )
    with db.transaction() as session:
        consults = session.scalars(
            select(HumanTask).where(HumanTask.element_id == "consult", HumanTask.state == "open")
        ).all()
        by_agency = {session.get(Agency, t.agency_id).code: t.id for t in consults}
    assert set(by_agency) == {"000.00.07.H31", "000.01.12.H31"}
    assert open_task(code, "appraisal") is None  # the appraisal waits for both opinions
    # each agency's officer sees only its own request, and answers it
    assert {t.dossier_code for t in inbox.inbox(actors["congan"]).pool} == {code}
    tasks.complete_task(
        by_agency["000.00.07.H31"], actors["congan"], {"consult_opinion": "Không có án tích"}
    )
    assert open_task(code, "appraisal") is None
    tasks.complete_task(
        by_agency["000.01.12.H31"], actors["chuyenvienhc"], {"consult_opinion": "Đồng ý"}
    )
    appraisal = open_task(code, "appraisal")
    assert appraisal is not None and appraisal.agency_id is not None


def test_a_consultation_needs_agency_codes(actors):
    import pytest

    from app.services.core.errors import InvalidInput

    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    with pytest.raises(InvalidInput) as exc:
        complete(
            code,
            "appraisal",
            actors["chuyenvien"],
            {"decision": "consult", "appraisal_note": "x", "consult_agency_codes": "công an"},
        )
    assert "consult_agency_codes" in exc.value.fields


def test_an_executing_commune_receives_processes_and_returns_the_dossier_itself(actors):
    """Path C2: the commune listed among the procedure's executing agencies receives the
    dossier under its own code and works it on the shared system."""
    commune = actors["xatanhung"]
    assert "1.005092" in {p["code"] for p in queries.procedures_for(commune)}
    # enterprise registration is neither executed nor received anywhere else
    assert "2.001610" not in {p["code"] for p in queries.procedures_for(commune)}
    code = receive_dossier(
        ReceiveDossier("1.005092", "cccd", "001090012345", "Nguyễn Văn An"), commune
    )
    assert code.startswith("000.21.33.H31-")
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", commune, RECEPTION)
    # the department chosen by the table belongs to the Sở, not the commune: it stays here
    assert agency_of(open_task(code, "appraisal")) == "000.21.33.H31"
    import pytest

    from app.services.core.errors import Forbidden

    with pytest.raises(Forbidden):
        receive_dossier(ReceiveDossier("2.001610", "cccd", "001090012345", "An"), commune)


def test_digitization_runs_as_a_called_sub_process_when_reception_asks_for_it(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], {**RECEPTION, "needs_digitization": True})
    classify = open_task(code, "classify")
    assert classify is not None and classify.role == "reception"
    assert classify.title == "Phân loại và số hoá thành phần"
    complete(
        code,
        "classify",
        actors["tiepnhan"],
        {"classified": True, "out_of_scope_count": 1, "on_demand_pages": 3},
    )
    authenticate = open_task(code, "authenticate")
    assert authenticate is not None and authenticate.role == "processing"
    complete(code, "authenticate", actors["chuyenvien"], {})
    assert open_task(code, "appraisal") is not None


def test_the_supervisors_desk_counts_steps_per_department(actors):
    from app.services.deadlines import supervision

    copy = receive_dossier(
        ReceiveDossier("1.005092", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhan"]
    )
    other = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    for code in (copy, other):
        complete(code, "reception", actors["tiepnhan"], RECEPTION)
    view = supervision.overview(actors["giamsat"])
    counts = {c.label: c.open for c in view.by_agency}
    assert counts == {"Phòng Hành chính tư pháp": 1, "Sở Tư pháp tỉnh Hưng Yên": 1}


def test_an_e_only_result_ends_the_dossier_at_status_10_without_a_paper_return(actors):
    from sqlalchemy import update

    from app.models import Dossier, OutboxMessage, Procedure

    with db.transaction() as session:
        session.execute(
            update(Procedure).where(Procedure.code == "1.005092").values(result_e_only=True)
        )
    code = receive_dossier(
        ReceiveDossier("1.005092", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhan"]
    )
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(
        code, "appraisal", actors["chuyenvienhc"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        code,
        "approval",
        actors["truongphong"],
        {"approval_decision": "approve", "result_name": "Bản sao văn bằng"},
    )
    deliver("warehouse.store_result", {"document_id": "DOC-9", "key": "k"})
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.status == 10 and dossier.finished_at is not None
        published = session.scalars(
            select(OutboxMessage.operator).where(OutboxMessage.dossier_id == dossier.id)
        ).all()
    assert open_task(code, "return_result") is None
    assert "portal.publish_result" in published
