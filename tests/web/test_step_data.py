"""The data of each step on the dossier page, for the roles the model allows to see it."""

from __future__ import annotations

import pytest

from app.services.core import queue
from tests.services.helpers import complete, deliver, receive
from tests.web.helpers import login


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def approved(actors) -> str:
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    reception = {"components_checked": True, "original_count": 1, "copy_count": 0}
    complete(code, "reception", actors["tiepnhan"], reception)
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "accept", "appraisal_note": "Đủ hồ sơ"},
    )
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu LLTP số 1 — ghi chú nội bộ"},
    )
    return code


def test_restricted_step_data_is_hidden_from_other_roles(client, approved):
    login(client, "tiepnhan")
    page = client.get(f"/dossiers/{approved}").get_data(as_text=True)
    assert "Đủ hồ sơ" in page  # the appraisal is open to every officer of the agency
    assert "ghi chú nội bộ" not in page
    assert "Dữ liệu bước chỉ dành cho: Lãnh đạo, Chuyên viên xử lý, Giám sát" in page


@pytest.mark.parametrize("username", ["lanhdao", "chuyenvien"])
def test_the_allowed_roles_see_it(client, approved, username):
    login(client, username)
    page = client.get(f"/dossiers/{approved}").get_data(as_text=True)
    assert "ghi chú nội bộ" in page and "Dữ liệu bước chỉ dành cho" not in page


def test_the_dossier_page_labels_step_data_by_the_form_never_by_variable_names(client, approved):
    login(client, "lanhdao")
    page = client.get(f"/dossiers/{approved}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "Kết quả thẩm định" in history  # the appraisal form's title for `decision`
    assert "Đủ điều kiện, trình lãnh đạo phê duyệt" in history  # the chosen option's title
    assert "decision" not in history and "appraisal_note" not in history
    assert "components_checked" not in history and "True" not in history
