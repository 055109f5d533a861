"""With a mail server configured, notifications also go out as e-mail through the outbox."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes
from email.policy import default

from app import settings
from app.domain.status import VN_TZ
from app.services.deadlines import overdue
from tests.services.helpers import deliver, receive


def test_overdue_notice_is_mailed_to_the_officer_and_the_leader(
    app, actors, clock, drain, smtp_server, monkeypatch
):
    address, inbox = smtp_server
    monkeypatch.setattr(settings.current, "MAIL_SERVER", address)
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    clock.set(datetime(2026, 11, 26, 9, tzinfo=VN_TZ))
    assert overdue.sweep().overdue == 1
    drain()  # on the same frozen clock: the rows are due at the time they were written
    recipients = sorted(rcpt for m in inbox.messages for rcpt in m.rcpt_tos)
    assert recipients == ["lanhdao@demo.gqtthc.local"]
    mail = message_from_bytes(inbox.messages[0].content, policy=default)
    assert mail["Subject"].startswith("«Tiếp nhận hồ sơ» của hồ sơ")
    assert "đã quá hạn" in mail.get_content()


def test_without_a_mail_server_nothing_is_mailed(app, actors, clock, drain, smtp_server):
    _, inbox = smtp_server
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    clock.set(datetime(2026, 11, 26, 9, tzinfo=VN_TZ))
    overdue.sweep()
    drain()
    assert inbox.messages == []
