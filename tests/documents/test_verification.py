"""Downloads and verification (S9): each role that may see an application downloads its forms; the public page
shows what was issued under a code; the same bytes verify as genuine, altered bytes do not; old versions verify as
superseded; bad codes and bad uploads get clear messages, never a 500."""

import io
import re

from pypdf import PdfReader

from app.modules.documents import operations as documents
from app.modules.documents.render import qr_data_uri
from app.modules.documents.signing import signature_valid
from app.modules.reviews.operations import decide_step, round_steps
from tests.conftest import bearer, file_application, login


def code_in(pdf: bytes) -> str:
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    return re.search(r"防伪码：?([2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3})", text).group(1)


def test_s9_roles_that_see_the_application_download_its_forms(world, client):
    app = file_application(world.company_a)
    for username in ("company_a", "jinan", "shandong", "national", "operator", "auditor"):
        login(client, username)
        assert f"/applications/{app.id}/forms/form2.pdf" in client.get(f"/applications/{app.id}").text
        response = client.get(f"/applications/{app.id}/forms/form1.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF-"), username
        client.post("/logout")
    for username in ("company_b", "qingdao"):
        login(client, username)
        assert client.get(f"/applications/{app.id}/forms/form1.pdf").status_code == 404, username
        client.post("/logout")
    api = client.get(f"/api/v1/applications/{app.id}/forms/form2", headers=bearer(world.company_a))
    assert api.status_code == 200 and api.mimetype == "application/pdf"
    assert client.get(f"/api/v1/applications/{app.id}/forms/form3", headers=bearer(world.company_a)).status_code == 404


def test_s9_blank_forms_download_without_signing_in(client, world):
    for kind in ("form1", "form2", "form3"):
        response = client.get(f"/forms/blank/{kind}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert client.get("/forms/blank/form9.pdf").status_code == 404


def test_s9_the_printed_address_follows_the_request_unless_it_is_configured(app, monkeypatch):
    with app.test_request_context("/", base_url="http://10.1.2.3:8080"):
        assert documents.verify_url("ABCD") == "http://10.1.2.3:8080/verify/ABCD"
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://essc.example.cn/")
    with app.test_request_context("/", base_url="http://10.1.2.3:8080"):
        assert documents.verify_url("ABCD") == "https://essc.example.cn/verify/ABCD"


def test_s9_the_code_and_qr_lead_to_the_verification_page(world, client):
    app = file_application(world.company_a)
    login(client, "company_a")
    pdf = client.get(f"/applications/{app.id}/forms/form1.pdf").data
    client.post("/logout")
    code = code_in(pdf)
    document = documents.find_by_code(code)
    assert documents.verify_url(code).endswith(f"/verify/{code}")
    assert qr_data_uri(documents.verify_url(code)).startswith("data:image/svg+xml")
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    for value in (app.number, app.applicant.name, document.file_sha256, "本平台出具的现行版本", "签名有效"):
        assert value in page.text, value
    assert signature_valid(document.file_sha256, document.signature)
    assert client.get(f"/verify/{code.lower().replace('-', '')}").status_code == 200


def test_s9_same_bytes_are_genuine_and_a_tampered_pdf_is_not(world, client):
    app = file_application(world.company_a)
    document = documents.issue(app, "form1")
    pdf = documents.stored_pdf(document)
    genuine = client.post(
        f"/verify/{document.code}", content_type="multipart/form-data", data={"file": (io.BytesIO(pdf), "f.pdf")}
    )
    assert "一致：上传的文件与本平台出具的文件完全相同" in genuine.text
    tampered = pdf.replace(app.applicant.name.encode("utf-16-be")[:4], b"\x00\x00\x00\x00", 1)
    tampered = tampered if tampered != pdf else pdf[:-10] + b"%%EOF\n\n\n\n"
    forged = client.post(
        f"/verify/{document.code}", content_type="multipart/form-data", data={"file": (io.BytesIO(tampered), "f.pdf")}
    )
    assert "不一致" in forged.text
    api = client.post(f"/api/v1/verify/{document.code}/check", data=tampered, content_type="application/pdf")
    assert api.status_code == 200 and api.json["genuine"] is False
    api = client.post(f"/api/v1/verify/{document.code}/check", data=pdf, content_type="application/pdf")
    assert api.json["genuine"] is True and api.json["document"]["application_number"] == app.number


def test_s9_an_old_version_verifies_as_superseded(world, client):
    app = file_application(world.company_a)
    old = documents.issue(app, "form1")
    step = round_steps(app)[0]
    decide_step(world.jinan, step.id, True, "同意。", "李娜", "13953100000")
    new = documents.issue(app, "form1")
    page = client.get(f"/verify/{old.code}")
    assert "已被新版本取代" in page.text
    assert client.get(f"/api/v1/verify/{old.code}").json["current"] is False
    assert client.get(f"/api/v1/verify/{new.code}").json["current"] is True


def test_s9_bad_codes_and_bad_uploads_get_clear_messages(world, client, app):
    unknown = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert unknown.status_code == 404 and "不是本平台出具" in unknown.text
    malformed = client.get("/verify/not-a-code")
    assert malformed.status_code == 400 and "格式不正确" in malformed.text
    assert client.get("/api/v1/verify/xyz").status_code == 400
    document = documents.issue(file_application(world.company_a), "form1")
    not_pdf = client.post(
        f"/verify/{document.code}", content_type="multipart/form-data", data={"file": (io.BytesIO(b"GIF89a"), "x.pdf")}
    )
    assert not_pdf.status_code == 200 and "不是 PDF" in not_pdf.text
    app.config["MAX_UPLOAD_BYTES"] = 1024
    try:
        big = client.post(f"/api/v1/verify/{document.code}/check", data=b"%PDF-" + b"0" * 4096)
    finally:
        app.config["MAX_UPLOAD_BYTES"] = 10 * 1024 * 1024
    assert big.status_code == 413


def test_the_lookup_page_takes_a_code(world, client):
    document = documents.issue(file_application(world.company_a), "form1")
    response = client.post("/verify", data={"code": document.code.lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{document.code}")
    bad = client.post("/verify", data={"code": "123"})
    assert bad.status_code == 200 and "格式不正确" in bad.text
