"""Notifications: the sweep tells the officer and the leaders; supervisors nudge."""

from __future__ import annotations

import pytest

from app.services.core import queue
from app.services.core.errors import Forbidden
from app.services.deadlines import handover
from tests.services.helpers import notices_of
from tests.web.helpers import login, post


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_overdue_steps_notify_the_holder_and_the_leaders(three_overdue):
    assert len(notices_of("tiepnhan")) == 1
    assert all("đã quá hạn" in m for m in notices_of("tiepnhan"))
    assert len(notices_of("lanhdao")) == 3
    assert notices_of("chuyenvien") == []


def test_header_counts_unread_and_the_page_marks_them_read(client, three_overdue):
    login(client, "lanhdao")
    assert 'id="unread">3<' in client.get("/inbox").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count("đã quá hạn") == 3
    assert post(client, "/notifications/read", {}, "/notifications").status_code == 302
    assert 'id="unread"' not in client.get("/inbox").get_data(as_text=True)


def test_nudge_reaches_the_holder_or_the_whole_pool(actors, three_overdue):
    claimed, unclaimed = three_overdue[0], three_overdue[1]
    assert handover.nudge(claimed, actors["giamsat"], "Xin xử lý gấp") == 1
    # unclaimed: the whole pool, here the one reception officer
    assert handover.nudge(unclaimed, actors["giamsat"], "Xin xử lý gấp") == 1
    nudges = [m for m in notices_of("tiepnhan") if "nhắc xử lý" in m]
    assert len(nudges) == 2 and nudges[0].startswith("Phạm Thu Trang nhắc xử lý «Tiếp nhận hồ sơ»")
    with pytest.raises(Forbidden, match="Chỉ giám sát"):
        handover.nudge(claimed, actors["tiepnhan"], "Xin xử lý gấp")
