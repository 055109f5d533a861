"""A digitized component with a sticky-note rescan (001 §II.2.c): the document counts the paper
pages, keeps the rescan's position, and an on-demand copy is charged for pages only."""

from __future__ import annotations

import pytest

from app.models import Document
from app.services.core.errors import InvalidInput
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive
from tests.services.test_documents import scan


def test_001_II_2_c_the_stored_draft_counts_pages_and_keeps_the_rescan(actors):
    officer = actors["tiepnhan"]
    document_id = scan(receive(officer), officer, numbered_pdf(3), pages=2, rescans="2")
    with db.transaction() as session:
        document = session.get(Document, document_id)
        assert (document.pages, document.rescans) == (2, [2])


def test_every_image_declared_a_rescan_is_refused_at_digitization(actors):
    officer = actors["tiepnhan"]
    with pytest.raises(InvalidInput) as refused:
        scan(receive(officer), officer, numbered_pdf(2), pages=1, rescans="1-2")
    assert "rescans" in refused.value.fields
