"""The supervisor's desk: counts that match the data, filtered lists, reassignment."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, HumanTask, User, UserRole
from app.services.core import queue
from app.services.core.errors import Forbidden, InvalidInput
from app.services.deadlines import handover, supervision
from app.storage.db import db
from tests.web.helpers import login, post


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_overview_counts_match_the_open_steps(actors, three_overdue):
    view = supervision.overview(actors["giamsat"])
    with db.transaction() as session:
        overdue = session.scalar(
            select(func.count()).where(
                HumanTask.state == "open", HumanTask.deadline_state == "overdue"
            )
        )
    assert (view.totals.open, view.totals.overdue) == (3, overdue) == (3, 3)
    assert {(c.label, c.open) for c in view.by_officer} == {("Nguyễn Thị Hoa", 1), ("Chưa nhận", 2)}
    assert [(c.key, c.overdue) for c in view.by_step] == [("reception", 3)]
    with pytest.raises(Forbidden):
        supervision.overview(actors["tiepnhan"])


def test_desk_pages_filter_and_refuse_bad_parameters(client, three_overdue):
    login(client, "giamsat")
    desk = client.get("/supervisor").get_data(as_text=True)
    assert "Giám sát tiến độ" in desk and "Theo bước xử lý" in desk
    overdue = client.get("/supervisor/tasks?state=overdue").get_data(as_text=True)
    assert overdue.count("Quá hạn</span>") == 3
    unclaimed = client.get("/supervisor/tasks?assignee=none").get_data(as_text=True)
    assert unclaimed.count("Chưa nhận") == 2
    assert client.get("/supervisor/tasks?sort=evil").status_code == 422
    assert client.get("/supervisor/tasks?state=late").status_code == 422


def test_reassign_to_an_officer_with_the_role_and_refuse_others(client, actors, three_overdue):
    with db.transaction() as session:
        admin = session.scalar(select(User).where(User.username == "quantri"))
        admin.roles.append(UserRole(role="reception", agency_id=admin.agency_id))
        session.flush()
        admin_id, processing_id = admin.id, actors["chuyenvien"].id
    login(client, "giamsat")
    task_id = three_overdue[1]
    response = post(
        client, f"/supervisor/tasks/{task_id}/reassign", {"user_id": admin_id}, "/supervisor/tasks"
    )
    assert response.status_code == 302
    with db.transaction() as session:
        assert session.get(HumanTask, task_id).assignee_id == admin_id
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "task_reassigned"))
        assert event.data["assignee_name"] == "Vũ Hải Nam" and event.actor_name == "Phạm Thu Trang"
    with pytest.raises(InvalidInput):
        handover.reassign_task(task_id, processing_id, actors["giamsat"])
    with pytest.raises(Forbidden):
        handover.reassign_task(task_id, admin_id, actors["tiepnhan"])


def test_diagram_page_carries_the_model_and_counts(client, three_overdue):
    login(client, "giamsat")
    html = client.get("/supervisor/procedures/2.000488/diagram").get_data(as_text=True)
    assert 'id=\\"counter_dossier\\"' in html or "counter_dossier" in html
    assert '"reception": {"due_soon": 0, "open": 3, "overdue": 3, "steps": ["reception"]}' in html
    assert client.get("/supervisor/procedures/9.999999/diagram").status_code == 404


def test_an_overdue_step_drills_down_to_the_process_control_slip(client, three_overdue):
    import io
    import re

    from pypdf import PdfReader

    login(client, "giamsat")
    overdue = client.get("/supervisor/tasks?state=overdue").get_data(as_text=True)
    code = re.search(r'data-slip06="([^"]+)"', overdue).group(1)
    slip = client.get(f"/dossiers/{code}/slips/06.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(slip.data)).pages[0].extract_text().split())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and code in text
    assert "Đang xử lý, đã quá hạn" in text


def test_list_totals_are_counted_up_to_a_cap_and_shown_as_more_than(app, actors):
    from app.models import HumanTask
    from app.services.dossiers.queries import count_tasks
    from app.storage.db import db
    from app.web import _count_label
    from tests.services.helpers import deliver, receive

    for _ in range(3):
        receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        open_steps = (HumanTask.state == "open",)
        assert count_tasks(session, open_steps) == 3
        assert count_tasks(session, open_steps, cap=1) == 2  # "more than one"
    assert (_count_label(1000), _count_label(1001)) == ("1.000", "1.000+")
