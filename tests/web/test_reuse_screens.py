"""The reuse and digitize screens over HTTP: a document of another person is shown in red and
not attached without a reason; type lists put the procedure's components first and accept a
type outside them only when "Khác…" was chosen."""

from __future__ import annotations

import html
import re

import pytest
import requests

from tests.documents.scans import numbered_pdf
from tests.web.helpers import login, post, receive_at_counter
from tests.web.test_documents_screens import upload

pytestmark = pytest.mark.simulators
CCCD = "KQ.G01.000023"


def wrong_card(national_url: str) -> None:
    requests.post(
        f"{national_url}/_sim/records",
        json={
            "served_for": "001090012345",
            "owner_id": "079095000123",
            "type_code": CCCD,
            "name": "Thẻ căn cước công dân",
            "full_name": "Nguyễn Thị Hồng Nhung",
            "fields": {"document_number": "079095000123", "birth_date": "1995-07-21"},
        },
        timeout=5,
    ).raise_for_status()


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_another_persons_card_is_flagged_and_needs_a_reason(client, national_url):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    wrong_card(national_url)
    url = f"/dossiers/{code}/reuse?type_code={CCCD}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="owner-warning"' in page and "Nguyễn Thị Hồng Nhung" in page
    assert 'data-field="birth_date"' not in page  # the owner's birth date is not known here
    assert 'data-field="owner_id"' in page and 'data-field="full_name"' in page
    form = {
        "type_code": CCCD,
        "source": "national",
        "ref": hidden(page, "ref"),
        "seen": hidden(page, "seen"),
        "attach": "1",
        "citizen_confirmed": "on",
    }
    refused = post(client, f"/dossiers/{code}/reuse", form, url)
    assert refused.status_code == 422
    assert 'id="override-error"' in refused.get_data(as_text=True)
    assert 'li data-source="national"' not in client.get(f"/dossiers/{code}").get_data(as_text=True)
    done = post(
        client,
        f"/dossiers/{code}/reuse",
        {**form, "override_reason": "Đã đối chiếu bản giấy tại quầy"},
        url,
    )
    assert done.status_code == 302
    dossier = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "owner-override" in dossier and "Đã đối chiếu bản giấy tại quầy" in dossier
    assert (
        "Đính kèm giấy tờ KQ.G01.000023 không khớp chủ hồ sơ (Số định danh, Họ tên); "
        "lý do: Đã đối chiếu bản giấy tại quầy"
    ) in dossier  # the history says who did it, what differed and why
    replay = post(
        client,
        f"/dossiers/{code}/reuse",
        {**form, "override_reason": "Đã đối chiếu bản giấy tại quầy"},
        url,
    )
    assert replay.status_code == 409


def test_the_warning_reads_in_english(client, national_url):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    wrong_card(national_url)
    page = html.unescape(
        client.get(f"/dossiers/{code}/reuse?type_code={CCCD}&lang=en").get_data(as_text=True)
    )
    assert "This document does not belong to the dossier's owner, Nguyễn Văn An" in page
    assert "Attach anyway, with the reason" in page and "Identification number" in page


def test_a_forged_document_reference_is_refused(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    url = f"/dossiers/{code}/reuse?type_code={CCCD}"
    client.get(url)
    for source, ref in (("national", "NAT-00003"), ("own", "1"), ("portal", "DOC-000001")):
        response = post(
            client,
            f"/dossiers/{code}/reuse",
            {
                "type_code": CCCD,
                "source": source,
                "ref": ref,
                "attach": "1",
                "citizen_confirmed": "on",
            },
            url,
        )
        assert response.status_code == 422, (source, ref)
        assert "không phải giấy tờ vừa tra cứu" in response.get_data(as_text=True)
    # nothing looked up (no type, or a type no source holds): nothing to attach
    for type_code in ("", "TK.UQ.01"):
        response = post(
            client,
            f"/dossiers/{code}/reuse",
            {"type_code": type_code, "source": "own", "ref": "1", "attach": "1"},
            url,
        )
        assert response.status_code == 422, type_code
        assert "hãy tra cứu lại" in response.get_data(as_text=True)


def test_type_lists_show_the_components_first_and_the_catalogue_behind_other(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    page = client.get(f"/dossiers/{code}/documents/new").get_data(as_text=True)
    components = page.index("Thành phần của thủ tục")
    other = page.index('value="khac"')
    assert components < page.index(f'value="{CCCD}"') < other
    assert page.index('value="KQ.G15.000031"') > other  # a birth certificate is "other"
    assert page.index('name="other_type_code"') > other


def test_a_type_outside_the_components_needs_other_chosen_explicitly(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    scan = numbered_pdf(1)
    refused = upload(client, code, scan, "1", type_code="KQ.G15.000031")
    assert refused.status_code == 422
    assert "chọn «Khác…»" in refused.get_data(as_text=True)
    blank_other = upload(client, code, scan, "1", type_code="khac", other_type_code="")
    assert blank_other.status_code == 422
    unknown = upload(client, code, scan, "1", type_code="khac", other_type_code="NOT.A.TYPE")
    assert unknown.status_code == 422
    accepted = upload(client, code, scan, "1", type_code="khac", other_type_code="KQ.G15.000031")
    assert accepted.status_code == 302
    document = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert 'value="KQ.G15.000031" selected' in document
