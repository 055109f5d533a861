"""Storage keys (khoá lưu trữ) stay distinct when one citizen's documents are stored at once.

Runs on PostgreSQL only: SQLite serialises writers (BEGIN IMMEDIATE), so there two
transactions never read the highest repeat number at the same moment.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from app.models import Document, Dossier, Procedure
from app.services.documents import results, storage
from app.storage.db import db
from tests.conftest import _postgres_url
from tests.services.helpers import receive

pytestmark = pytest.mark.postgres
AT_ONCE = 20


@pytest.fixture
def database_url(pg_server) -> str:
    return _postgres_url(pg_server)


def test_twenty_results_of_one_citizen_issued_at_once_get_twenty_distinct_keys(actors, monkeypatch):
    leader = actors["lanhdao"]
    codes = [receive(actors["tiepnhan"]) for _ in range(AT_ONCE)]
    with db.transaction() as session:
        # the keys are the point here, not the result template (its drafts have their tests)
        session.execute(update(Procedure).values(result_template=None))
        ids = session.scalars(select(Dossier.id).where(Dossier.code.in_(codes))).all()
    # Every transaction reads the highest number before any of them writes: the race the
    # unique key must settle.
    first_reads: list[int] = []
    barrier = threading.Barrier(AT_ONCE, timeout=120)
    local = threading.local()
    real_next = storage.next_repeat

    def next_repeat_together(session, owner_id: str, type_code: str) -> int:  # noqa: ANN001
        repeat = real_next(session, owner_id, type_code)
        if not getattr(local, "waited", False):
            local.waited = True
            first_reads.append(repeat)
            barrier.wait()
        return repeat

    monkeypatch.setattr(storage, "next_repeat", next_repeat_together)

    def issue(dossier_id: int) -> dict:
        with db.transaction() as session:
            return results.issue_result(session, dossier_id, {}, leader)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        futures = [pool.submit(issue, dossier_id) for dossier_id in ids]
    errors = [f.exception() for f in futures if f.exception() is not None]
    # a thread that failed before the barrier breaks it for the others: show the real cause
    causes = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if causes:
        raise causes[0]
    assert errors == []
    issued = [f.result() for f in futures]

    assert first_reads == [1] * AT_ONCE  # precondition: all of them collided
    keys = {i["storage_key"] for i in issued}
    assert len(keys) == AT_ONCE
    with db.transaction() as session:
        repeats = session.scalars(
            select(Document.repeat).where(Document.source == "result").order_by(Document.repeat)
        ).all()
        stored_keys = set(session.scalars(select(Document.storage_key)).all())
    assert repeats == list(range(1, AT_ONCE + 1))
    assert keys <= stored_keys
