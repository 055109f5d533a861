"""Citizens sign in through the portal simulator (OpenID Connect, code + PKCE, signed ID
tokens) and submit online (path A) with components from the warehouses or uploaded."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import select

from app.integrations.warehouse import WarehouseClient
from app.models import CitizenAccount, Document, Dossier, DossierComponent
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import open_task
from tests.support.warehouse_records import six_fields

pytestmark = pytest.mark.simulators
AN = "001090012345"  # has a portal account (Nguyễn Văn An)
MAI = "033185004321"  # another citizen (Lê Thị Mai)


def portal_login(client, portal_url: str, identifier: str, start: str = "/citizen/") -> str:
    """Follow the SSO round trip as the citizen `identifier`; the callback URL reached."""
    first = client.get(start)
    assert first.status_code == 302 and "/citizen/login" in first.headers["Location"]
    to_portal = client.get(first.headers["Location"])
    authorize = to_portal.headers["Location"]
    assert authorize.startswith(portal_url + "/oauth/authorize")
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    page = requests.get(authorize, timeout=5).text
    account = re.search(r'<option value="([^"]+)">' + identifier, page).group(1)
    back = requests.post(
        authorize,
        data={k: v[0] for k, v in query.items()} | {"account_id": account},
        allow_redirects=False,
        timeout=5,
    )
    assert back.status_code == 302
    callback = back.headers["Location"]
    assert urlparse(callback).path == "/citizen/callback"
    return callback


def finish(client, callback: str):  # noqa: ANN201
    parsed = urlparse(callback)
    return client.get(f"{parsed.path}?{parsed.query}")


def test_sign_in_creates_the_local_account_and_returns_to_the_page_asked_for(client, portal_url):
    callback = portal_login(client, portal_url, AN)
    landed = finish(client, callback)
    assert landed.status_code == 302 and landed.headers["Location"].endswith("/citizen/")
    home = client.get("/citizen/").get_data(as_text=True)
    assert "Nguyễn Văn An" in home and AN in home
    with db.transaction() as session:
        citizen = session.scalar(select(CitizenAccount).where(CitizenAccount.identifier == AN))
        assert citizen is not None and citizen.birth_date == "1990-05-12"
    # the same callback again: its state was used, refused with a clear page
    again = finish(client, callback)
    assert again.status_code == 401 and "state" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("defect", "message"),
    [
        ("bad_signature", "Chữ ký của mã định danh không hợp lệ"),
        ("wrong_audience", "không dành cho hệ thống này"),
        ("expired", "đã hết hạn"),
    ],
)
def test_a_defective_id_token_is_refused(client, portal_url, defect, message):
    requests.post(f"{portal_url}/_sim/oidc", json={"defect": defect}, timeout=5)
    refused = finish(client, portal_login(client, portal_url, AN))
    assert refused.status_code == 401 and message in refused.get_data(as_text=True)
    # not signed in
    assert client.get("/citizen/").status_code == 302


def test_a_used_code_is_refused_by_the_portal(client, portal_url):
    used = parse_qs(urlparse(portal_login(client, portal_url, AN)).query)["code"][0]
    # a callback without a code is refused with a page, not an error 500
    no_code = finish(client, portal_login(client, portal_url, AN).replace("code=", "x="))
    assert no_code.status_code == 401 and "không hợp lệ" in no_code.get_data(as_text=True)
    # a new login whose callback carries the first, already exchanged, code
    fresh = portal_login(client, portal_url, AN)
    finish(client, fresh)  # exchanges the fresh code
    client.get("/citizen/login")  # a new state in the session
    state = parse_qs(urlparse(client.get("/citizen/login").headers["Location"]).query)["state"][0]
    refused = client.get(f"/citizen/callback?code={used}&state={state}")
    assert refused.status_code == 401
    assert "Cổng DVCQG từ chối đăng nhập" in refused.get_data(as_text=True)


def test_online_submission_reuses_a_warehouse_document_and_takes_an_upload(
    client, portal_url, warehouse_url, actors
):
    # the citizen's ID card is already in the portal's Kho DL
    WarehouseClient(warehouse_url).store_document(
        six_fields(AN, "KQ.G01.000023", "Thẻ căn cước công dân"),
        numbered_pdf(1),
        "seed-cccd",
    )
    finish(client, portal_login(client, portal_url, AN, "/citizen/submit/2.000488"))
    page = client.get("/citizen/submit/2.000488").get_data(as_text=True)
    offered = re.search(r'name="use_KQ.G01.000023" value="([^"]+)"', page)
    assert offered and "Kho dữ liệu trên Cổng DVCQG" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    # the required form is missing: refused, nothing received
    missing = client.post(
        "/citizen/submit/2.000488",
        data={"csrf_token": token, "use_KQ.G01.000023": offered.group(1)},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in missing.get_data(as_text=True)
    # a file that is not a PDF or image is refused with the component named
    bad = client.post(
        "/citizen/submit/2.000488",
        data={
            "csrf_token": token,
            "use_KQ.G01.000023": offered.group(1),
            "file_TK.LLTP.01": (io.BytesIO(b"not a pdf"), "to-khai.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "không phải PDF" in bad.get_data(as_text=True)
    with db.transaction() as session:
        assert session.scalar(select(Dossier.id)) is None

    sent = client.post(
        "/citizen/submit/2.000488",
        data={
            "csrf_token": token,
            "phone": "0912345678",
            "use_KQ.G01.000023": offered.group(1),
            "file_TK.LLTP.01": (io.BytesIO(numbered_pdf(2)), "to-khai.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    code = sent.headers["Location"].rsplit("/", 1)[-1]
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert (dossier.channel, dossier.status, dossier.owner_id) == ("online", 1, AN)
        assert dossier.citizen_account_id is not None
        [component] = session.scalars(
            select(DossierComponent).where(DossierComponent.dossier_id == dossier.id)
        ).all()
        assert (component.source, component.type_code) == ("portal", "KQ.G01.000023")
        documents = session.scalars(select(Document).where(Document.dossier_id == dossier.id))
        by_source = {d.source: d for d in documents}
        upload, reused = by_source.pop("online"), by_source.pop("reused")
        assert (upload.source, upload.state, upload.pages) == ("online", "draft", 2)
        # the Kho DL document came with its file (001 §II.1 Bước 3), not as a reference
        assert component.document_id == reused.id and reused.origin_system == "portal"
        assert not by_source
    # no account check online: the dossier waits at the Sở's counter
    assert open_task(code, "reception") is not None
    detail = client.get(f"/citizen/dossiers/{code}").get_data(as_text=True)
    assert "Tiếp nhận hồ sơ" in detail and "Dùng lại từ Kho DL trên Cổng DVCQG" in detail

    # another citizen does not see it
    client.post("/citizen/logout", data={"csrf_token": token})
    finish(client, portal_login(client, portal_url, MAI))
    assert client.get(f"/citizen/dossiers/{code}").status_code == 404
    assert code not in client.get("/citizen/").get_data(as_text=True)


def test_a_business_signs_in_by_tax_code(client, portal_url):
    finish(client, portal_login(client, portal_url, "0101243150"))
    home = client.get("/citizen/").get_data(as_text=True)
    assert "Công ty Cổ phần Minh Phát" in home and "0101243150" in home


def test_withdraw_before_acceptance_and_download_the_result(client, portal_url, actors):
    from app.services.citizens import actions
    from app.services.dossiers.reception import ReceiveDossier, receive_dossier
    from tests.services.helpers import complete, deliver

    waiting = receive_dossier(
        ReceiveDossier("2.000488", "cccd", AN, "Nguyễn Văn An", channel="online"),
        actions.PORTAL,
    )
    done = receive_dossier(
        ReceiveDossier("2.000488", "cccd", AN, "Nguyễn Văn An"), actors["tiepnhan"]
    )
    deliver("portal.check_account", {"exists": True})
    complete(
        done,
        "reception",
        actors["tiepnhan"],
        {"components_checked": True, "original_count": 1, "copy_count": 0},
    )
    complete(
        done, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        done,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )

    finish(client, portal_login(client, portal_url, AN))
    page = client.get(f"/citizen/dossiers/{waiting}").get_data(as_text=True)
    assert 'id="withdraw-form"' in page  # not accepted yet
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    withdrawn = client.post(
        f"/citizen/dossiers/{waiting}/withdraw",
        data={"csrf_token": token, "reason": "Nộp nhầm thủ tục"},
    )
    assert withdrawn.status_code == 302
    with db.transaction() as session:
        assert session.scalar(select(Dossier.status).where(Dossier.code == waiting)) == 7

    page = client.get(f"/citizen/dossiers/{done}").get_data(as_text=True)
    link = re.search(r'href="(/citizen/dossiers/[^"]+/results/\d+)"', page).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    client.post("/citizen/logout", data={"csrf_token": token})
    finish(client, portal_login(client, portal_url, MAI))
    assert client.get(link).status_code == 404


def test_a_citizens_cookie_replayed_after_logout_is_worth_nothing(client, portal_url):
    finish(client, portal_login(client, portal_url, AN))
    assert client.get("/citizen/").status_code == 200
    kept = client.get_cookie("session").value
    page = client.get("/citizen/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/citizen/logout", data={"csrf_token": token})
    client.set_cookie("session", kept)
    replayed = client.get("/citizen/")
    assert replayed.status_code == 302 and "/citizen/login" in replayed.headers["Location"]
