"""Confirming a draft signs it with no transaction open, then locks the row only to write."""

from __future__ import annotations

import pytest

from app.documents import signing
from app.models import Document
from app.services.core.errors import Conflict
from app.services.documents import drafts
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive
from tests.services.test_documents import metadata, row, scan


def test_while_the_draft_is_signed_another_transaction_can_lock_its_row(actors, monkeypatch):
    officer = actors["tiepnhan"]
    document_id = scan(receive(officer), officer, numbered_pdf(1))
    real_sign = signing.sign
    seen: list[str] = []

    def sign_while_locking(*args, **kwargs) -> None:
        # NOWAIT on PostgreSQL; on SQLite the write lock BEGIN IMMEDIATE takes would wait
        # for a transaction still open in confirm, then fail.
        with db.transaction() as session:
            locked = session.get(Document, document_id, with_for_update={"nowait": True})
            seen.append(locked.state)
        real_sign(*args, **kwargs)

    monkeypatch.setattr(signing, "sign", sign_while_locking)
    key = drafts.confirm(document_id, metadata(), officer)
    assert seen == ["draft"]  # the probe ran, during the signing, on the draft
    stored = row(document_id)
    assert stored.state == "stored" and stored.storage_key == key


def test_a_draft_discarded_while_it_is_signed_is_not_stored(actors, monkeypatch):
    officer = actors["tiepnhan"]
    document_id = scan(receive(officer), officer, numbered_pdf(1))
    real_sign = signing.sign

    def discard_then_sign(*args, **kwargs) -> None:
        drafts.discard(document_id, officer)
        real_sign(*args, **kwargs)

    monkeypatch.setattr(signing, "sign", discard_then_sign)
    with pytest.raises(Conflict):
        drafts.confirm(document_id, metadata(), officer)
    discarded = row(document_id)
    assert discarded.state == "discarded" and discarded.storage_key is None
