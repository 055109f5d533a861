"""Reusing documents in priority order: own warehouse → portal Kho DL → national DB."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from app.models import DossierComponent
from app.services.core.errors import InvalidInput
from app.services.documents import reuse
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive
from tests.services.test_documents import metadata, scan

pytestmark = pytest.mark.simulators
CCCD, BIRTH, LICENCE = "KQ.G01.000023", "KQ.G15.000031", "KQ.G04.000062"


def test_each_source_is_asked_in_turn_until_one_has_it(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)  # owner 001090012345
    national = reuse.lookup(code, CCCD, officer)
    assert national.found.source == "national"
    assert national.tried == [("own", "không có"), ("portal", "không có"), ("national", "có")]
    assert national.found.owner_name == "Nguyễn Văn An"
    portal = reuse.lookup(code, BIRTH, officer)  # the warehouse simulator holds a birth cert
    assert portal.found.source == "portal"
    assert portal.tried == [("own", "không có"), ("portal", "có")]
    nothing = reuse.lookup(code, LICENCE, officer)
    assert nothing.found is None and [t for _, t in nothing.tried] == ["không có"] * 3
    # once this system holds a stored CCCD of the owner, it comes first
    documents_id = scan(code, officer, numbered_pdf(1))
    from app.services.documents import drafts

    drafts.confirm(documents_id, metadata(owner_id="001090012345"), officer)
    own = reuse.lookup(code, CCCD, officer)
    assert own.found.source == "own" and own.tried == [("own", "có")]
    lookups = requests.get(f"{national_url}/_sim/received", timeout=5).json()
    assert len(lookups) == 2  # the national DB was not asked when a nearer source had it


def test_a_source_that_is_down_is_skipped_and_said_so(actors, warehouse_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    requests.post(f"{warehouse_url}/_sim/faults", json={"fail_next": 1}, timeout=5)
    result = reuse.lookup(code, CCCD, officer)
    assert result.tried[1][0] == "portal" and "không tra cứu được" in result.tried[1][1]
    assert result.found.source == "national"


def test_attaching_needs_the_citizens_confirmation_and_flags_a_paper_mismatch(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    found = reuse.lookup(code, CCCD, officer).found
    with pytest.raises(InvalidInput) as exc:
        reuse.attach(code, "national", found.ref, CCCD, False, {}, officer)
    assert "citizen_confirmed" in exc.value.fields
    attached = reuse.attach(
        code,
        "national",
        found.ref,
        CCCD,
        True,
        {"full_name": "Nguyễn Văn Ân", "document_number": "001090012345"},
        officer,
    )
    assert attached["mismatch"] == {
        "full_name": {"label": "Họ tên", "paper": "Nguyễn Văn Ân", "national": "Nguyễn Văn An"}
    }
    with db.transaction() as session:
        component = session.scalar(select(DossierComponent))
        assert component.data["full_name"] == "Nguyễn Văn Ân"  # the paper is taken
        assert component.confirmed_by_id == officer.id
    [listed] = reuse.components_of(code, officer)
    assert listed["source_label"] == "Cơ sở dữ liệu quốc gia" and listed["mismatch"]
    with pytest.raises(InvalidInput, match="tra cứu lại"):
        reuse.attach(code, "national", "NAT-99999", CCCD, True, {}, officer)
