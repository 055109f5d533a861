"""The supervisor's diagram links each step to its task list: /supervisor/tasks?procedure=&step=."""

from __future__ import annotations

import json
import re

import pytest

from app.services.core import queue
from tests.web.conftest import three_overdue  # noqa: F401 - fixture
from tests.web.helpers import login

TASKS = "/supervisor/tasks"


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def listed(client, query: str) -> int:
    response = client.get(f"{TASKS}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True).count("data-slip06=")


def test_a_step_filter_lists_only_that_steps_open_tasks(client, three_overdue):  # noqa: F811
    login(client, "giamsat")
    assert listed(client, "procedure=2.000488&step=reception") == 3
    assert listed(client, "procedure=2.000488&step=appraisal") == 0
    assert listed(client, "procedure=2.000488") == 3


def test_a_step_of_an_unknown_procedure_lists_nothing(client, three_overdue):  # noqa: F811
    login(client, "giamsat")
    assert listed(client, "procedure=9.999999&step=reception") == 0


def test_step_wins_over_the_older_element_parameter(client, three_overdue):  # noqa: F811
    login(client, "giamsat")
    assert listed(client, "procedure=2.000488&step=appraisal&element=reception") == 0
    assert listed(client, "procedure=2.000488&element=reception") == 3


@pytest.mark.parametrize(
    "step",
    ["' OR 1=1 --", "%3Cscript%3Ealert(1)%3C/script%3E"],
)
def test_a_hostile_step_lists_nothing_and_never_fails(client, three_overdue, step):  # noqa: F811
    login(client, "giamsat")
    assert listed(client, f"procedure=2.000488&step={step}") == 0
    page = client.get(f"{TASKS}?procedure=2.000488&step={step}").get_data(as_text=True)
    assert "<script>alert(1)" not in page


def test_a_step_with_a_nul_byte_is_refused_with_a_400(client, three_overdue):  # noqa: F811
    login(client, "giamsat")
    assert client.get(f"{TASKS}?procedure=2.000488&step=reception%00").status_code == 400


def test_the_diagram_links_its_steps_to_the_procedures_task_list(client, three_overdue):  # noqa: F811
    login(client, "giamsat")
    html = client.get("/supervisor/procedures/2.000488/diagram").get_data(as_text=True)
    spec = json.loads(re.search(r'id="diagram-spec">(.*?)</script>', html, re.S).group(1))
    assert spec["step_url"] == f"{TASKS}?procedure=2.000488"
    assert spec["counts"]["reception"] == {
        "open": 3,
        "due_soon": 0,
        "overdue": 3,
        "steps": ["reception"],
    }
    assert spec["focus"] == ["reception"]
    for text in ("Phóng to", "Thu nhỏ", "Vừa khung", "Toàn màn hình"):
        assert f'aria-label="{text}"' in html


def test_an_officer_cannot_open_the_step_list(client, three_overdue):  # noqa: F811
    login(client, "tiepnhan")
    assert client.get(f"{TASKS}?procedure=2.000488&step=reception").status_code == 403


def test_sub_process_steps_show_on_their_call_activity_or_are_listed_apart(
    client,
    three_overdue,  # noqa: F811
):
    from sqlalchemy import update

    from app.models import HumanTask
    from app.storage.db import db

    # the projection as the engine writes it for steps of called processes
    with db.transaction() as session:
        for task_id, element in zip(three_overdue[:2], ("classify", "hand_to_bcci"), strict=True):
            session.execute(
                update(HumanTask).where(HumanTask.id == task_id).values(element_id=element)
            )
    login(client, "giamsat")
    html = client.get("/supervisor/procedures/2.000488/diagram").get_data(as_text=True)
    spec = json.loads(re.search(r'id="diagram-spec">(.*?)</script>', html, re.S).group(1))
    assert spec["counts"]["digitize"]["steps"] == ["classify"]
    assert spec["counts"]["reception"]["open"] == 1
    assert "hand_to_bcci" not in spec["counts"]
    elsewhere = re.search(r'<section class="card" id="elsewhere">(.*?)</section>', html, re.S)
    assert "Gửi bản giấy qua BCCI" in elsewhere.group(1)
    assert f"{TASKS}?procedure=2.000488&amp;step=hand_to_bcci" in elsewhere.group(1)
    assert listed(client, "procedure=2.000488&step=hand_to_bcci") == 1


@pytest.mark.parametrize("step", ["x" * 5000, "%E2%80%AE"])  # over-long; an RTL override
def test_an_overlong_or_unprintable_step_is_refused_with_a_message(client, three_overdue, step):  # noqa: F811
    login(client, "giamsat")
    response = client.get(f"{TASKS}?procedure=2.000488&step={step}")
    assert response.status_code == 422
    assert "Giá trị lọc không hợp lệ" in response.get_data(as_text=True)
