"""Digitizing at the counter over HTTP: upload, refusals with messages, confirm, slips, verify."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.documents.scans import CCCD_LINES, encrypted, numbered_pdf, page_image, pdf_of
from tests.web.helpers import login, post, receive_at_counter, token

FORM = {
    "type_code": "KQ.G01.000023",
    "classification": "required_by_law",
    "paper_form": "original",
    "paper_count": "1",
}


def upload(client, code: str, content: bytes, pages: str, name: str = "scan.pdf", **extra):
    url = f"/dossiers/{code}/documents/new"
    data = {
        **FORM,
        **extra,
        "declared_pages": pages,
        "csrf_token": token(client, url),
        "files": (io.BytesIO(content), name),
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def test_digitize_confirm_and_see_the_signature_verdict(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Số hoá thành phần" in page and "Mẫu 01" in page
    response = upload(client, code, pdf_of([page_image(CCCD_LINES)]), "1")
    assert response.status_code == 302
    document_url = response.headers["Location"]
    page = client.get(document_url).get_data(as_text=True)
    assert "Xác nhận siêu dữ liệu" in page
    assert 'value="079095000123"' in page and "NGUYỄN THỊ HỒNG NHUNG" in page
    assert 'value="2021-03-15"' in page  # issue date suggested by OCR
    document_id = int(re.search(r"/documents/(\d+)", document_url).group(1))
    confirm = f"/documents/{document_id}/confirm"
    values = {
        "type_code": "KQ.G01.000023",
        "owner_id_type": "cccd",
        "owner_id": "079095000123",
        "owner_name": "Nguyễn Thị Hồng Nhung",
        "name": "Thẻ căn cước công dân",
        "field_document_number": "079095000123",
        "field_issued_on": "15/03/2021",
        "field_issuer": "Cục Cảnh sát QLHC về TTXH",
    }
    # 001 §II.2.c: summary, validity and scope are asked; the summary and scope come pre-filled
    assert "Thẻ căn cước công dân số 079095000123" in page
    assert 'value="national" selected' in page
    unasked = post(client, confirm, values, page=document_url)
    assert unasked.status_code == 422
    assert "Chọn thời hạn hiệu lực" in unasked.get_data(as_text=True)
    values |= {
        "summary": "Thẻ CCCD của Nguyễn Thị Hồng Nhung",
        "validity": "until",
        "valid_from": "15/03/2021",
        "valid_until": "15/03/2036",
        "validity_scope": "national",
    }
    bad = post(client, confirm, {**values, "owner_id": "07909500012"}, page=document_url)
    assert bad.status_code == 422
    assert "12 chữ số" in bad.get_data(as_text=True)
    hostile = post(client, confirm, {**values, "summary": "<script>x</script>"}, page=document_url)
    assert hostile.status_code == 422 and "<script>x" not in hostile.get_data(as_text=True)
    done = post(client, confirm, values, page=document_url)
    assert done.status_code == 302
    page = client.get(document_url).get_data(as_text=True)
    assert "079095000123.KQ.G01.000023" in page
    assert 'data-state="valid"' in page and "Chữ ký hợp lệ" in page
    pdf = client.get(f"/documents/{document_id}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 1
    dossier_page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "079095000123.KQ.G01.000023" in dossier_page


def test_refused_scans_come_back_with_a_clear_message(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    mismatch = upload(client, code, numbered_pdf(2), "3")
    assert mismatch.status_code == 422
    assert "Số trang quét được (2) khác số trang giấy khai báo (3)" in mismatch.get_data(
        as_text=True
    )
    locked = upload(client, code, encrypted(numbered_pdf(1)), "1")
    assert locked.status_code == 422 and "mã hoá" in locked.get_data(as_text=True)
    fake = upload(client, code, b"not a scan at all", "1", name="fake.pdf")
    assert fake.status_code == 422 and "không phải PDF hoặc ảnh" in fake.get_data(as_text=True)
    no_pages = upload(client, code, numbered_pdf(1), "")
    assert no_pages.status_code == 422 and "số trang giấy" in no_pages.get_data(as_text=True)


def test_slips_download_as_pdf_and_unavailable_ones_say_why(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    receipt = client.get(f"/dossiers/{code}/slips/01.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert code in PdfReader(io.BytesIO(receipt.data)).pages[0].extract_text()
    refused = client.get(f"/dossiers/{code}/slips/03.pdf")
    assert refused.status_code == 409
    assert "không bị từ chối" in refused.get_data(as_text=True)
    assert client.get(f"/dossiers/{code}/slips/09.pdf").status_code == 404


def test_supervisors_see_but_cannot_digitize(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    # the reception officer is offered digitization on the same page
    assert "digitize-link" in client.get(f"/dossiers/{code}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(client, "/inbox")})
    login(client, "giamsat")
    assert "digitize-link" not in client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert upload(client, code, numbered_pdf(1), "1").status_code == 403


def test_the_verify_page_judges_an_incoming_file(client):
    login(client, "tiepnhan")
    url = "/documents/verify"
    unsigned = client.post(
        url,
        data={"csrf_token": token(client, url), "file": (io.BytesIO(numbered_pdf(1)), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert unsigned.status_code == 200
    assert "không có chữ ký số" in unsigned.get_data(as_text=True)
    wrong = client.post(
        url,
        data={"csrf_token": token(client, url), "file": (io.BytesIO(b"hello"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "không phải PDF" in wrong.get_data(as_text=True)


def signed_pdf(tmp_path, tamper: bool = False) -> bytes:
    """A PDF signed by an officer of the demo CA (optionally altered afterwards)."""
    from reportlab.pdfgen import canvas

    from app.documents import signing
    from app.documents.pki import demo_pki

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pageCompression=0, invariant=1)
    sheet.drawString(100, 700, "Ket qua: 1234567")
    sheet.showPage()
    sheet.save()
    source = tmp_path / "in.pdf"
    source.write_bytes(buffer.getvalue())
    identity = demo_pki().identity("officer", "nguoi-ky-ngoai", "Phạm Văn Ký", "Sở Y tế")
    out = io.BytesIO()
    signing.sign(source, out, identity)
    content = out.getvalue()
    return content.replace(b"1234567", b"7654321") if tamper else content


def test_an_incoming_signed_file_gets_its_verdict_at_intake_and_on_the_check_page(client, tmp_path):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    good = upload(client, code, signed_pdf(tmp_path), "1", classification="out_of_scope")
    page = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "Chữ ký số trên tệp nhận vào" in page
    assert 'data-state="valid"' in page and "Phạm Văn Ký" in page
    bad = upload(client, code, signed_pdf(tmp_path, tamper=True), "1")
    page = client.get(bad.headers["Location"]).get_data(as_text=True)
    assert 'data-state="tampered"' in page
    assert "Nội dung đã bị thay đổi sau khi ký" in page
    url = "/documents/verify"
    checked = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            "file": (io.BytesIO(signed_pdf(tmp_path, tamper=True)), "b.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert 'data-state="tampered"' in checked.get_data(as_text=True)


def test_the_metadata_form_offers_the_procedures_components_first_and_refuses_a_silent_other_type(
    client,
):
    from app.services.documents import type_choices

    login(client, "tiepnhan")
    code = receive_at_counter(client)
    document_url = upload(client, code, pdf_of([page_image(CCCD_LINES)]), "1").headers["Location"]
    page = client.get(document_url).get_data(as_text=True)
    assert "Thành phần của thủ tục" in page and "Khác…" in page
    choices = type_choices.for_dossier(code)
    other = choices.others[0][0]
    assert other not in choices.codes
    document_id = int(re.search(r"/documents/(\d+)", document_url).group(1))
    values = {
        "type_code": other,  # a catalogue type sent as if it were a component
        "owner_id_type": "cccd",
        "owner_id": "079095000123",
        "owner_name": "Nguyễn Thị Hồng Nhung",
        "name": "Thẻ căn cước công dân",
    }
    refused = post(client, f"/documents/{document_id}/confirm", values, page=document_url)
    assert refused.status_code == 422
    assert "Không thuộc thành phần của thủ tục" in refused.get_data(as_text=True)
    assert "Xác nhận siêu dữ liệu" in client.get(document_url).get_data(
        as_text=True
    )  # still a draft


def test_an_old_document_lacking_fields_is_flagged_and_completed_on_its_page(client, actors):
    """001 §II.2.c: the list names what a document stored before the rule lacks; its page
    asks only for that, refuses hostile values, and the flag goes once it is complete."""
    from app.models import Document
    from app.services.documents import drafts
    from app.storage.db import db
    from tests.services.test_documents import metadata, scan

    login(client, "tiepnhan")
    code = receive_at_counter(client)
    document_id = scan(code, actors["tiepnhan"], numbered_pdf(1))
    drafts.confirm(document_id, metadata(), actors["tiepnhan"])
    with db.transaction() as session:
        old = session.get(Document, document_id)
        old.summary, old.validity = "", None
    dossier_page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'data-missing="summary,validity"' in dossier_page
    url = f"/documents/{document_id}"
    page = client.get(url).get_data(as_text=True)
    assert (
        'id="complete-form"' in page
        and 'name="validity_scope"' not in page.split('id="complete-form"')[1].split("</form>")[0]
    )
    action = f"{url}/metadata"
    hostile = {"summary": "<img src=x onerror=alert(1)>", "validity": "until"}
    refused = post(client, action, {**hostile, "valid_until": "01/01/2020"}, page=url)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<img src=x" not in text
    assert "thẻ HTML" in text
    done = post(
        client,
        action,
        {"summary": "Thẻ CCCD của Nguyễn Thị Hồng Nhung", "validity": "indefinite"},
        page=url,
    )
    assert done.status_code == 302
    assert "data-missing" not in client.get(f"/dossiers/{code}").get_data(as_text=True)
    again = post(client, action, {"summary": "x", "validity": "indefinite"}, page=url)
    assert again.status_code == 409
