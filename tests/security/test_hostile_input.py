"""Hostile input never gets a 5xx (issue 13 item 7): JSON nested 1,000 deep; NUL characters in a path, a query string,
a filter, a form field, the sign-in username and an upload file name — each refused with 400/422 naming the field; a
ZIP that is not an Office document refused as docx/xlsx/pptx; an oversized body refused from its Content-Length
before it is read."""

import io
import socket
import time
import zipfile
from urllib.parse import urlparse

import pytest

from app.core.errors import RuleViolation
from app.modules.applications import operations as applications
from tests.conftest import PASSWORD, application_data, bearer, file_application, login


def test_json_nested_a_thousand_deep_is_a_400(world, client):
    deep = "[" * 1000 + "]" * 1000
    for body in (deep, '{"a":' * 1000 + "1" + "}" * 1000):
        response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
        assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"
    response = client.post(
        "/api/v1/organisations", data=deep, content_type="application/json", headers=bearer(world.admin)
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/channels?status=live%00", "status"),
        ("/api/v1/login-log?username=ad%00min", "username"),
        ("/api/v1/audit?action=x%00", "action"),
        ("/api/v1/keys/pk_%00abc/rotate", "key_id"),
    ],
)
def test_a_nul_character_in_the_url_is_a_422_naming_the_field(world, client, path, field):
    method = "POST" if path.endswith("rotate") else "GET"
    response = client.open(
        path,
        method=method,
        headers=bearer(world.admin if "log" in path or "audit" in path else world.operator),
        json={},
    )
    assert response.status_code == 422, (path, response.status_code)
    assert field in response.json["error"]["fields"]


def test_a_nul_character_in_a_page_filter_or_the_sign_in_username_is_a_400(world, client):
    response = client.post("/login", data={"username": "admin\x00", "password": PASSWORD})
    assert response.status_code == 400 and "username" in response.text
    login(client, "admin")
    assert client.get("/admin/login-log?day=%00").status_code == 400


def test_a_nul_character_in_an_upload_file_name_is_refused(world, client):
    draft = applications.create_draft(world.company_a, application_data())
    data = {"kind": "test_info_sheet", "file": (io.BytesIO(b"%PDF-1.4\n"), "sheet\x00.pdf")}
    response = client.post(
        f"/api/v1/applications/{draft.id}/attachments",
        data=data,
        headers=bearer(world.company_a),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "file" in response.json["error"]["fields"], response.json


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "names"),
    [
        ("plain.docx", ["readme.txt"]),
        ("sheet.xlsx", ["[Content_Types].xml", "word/document.xml"]),  # a Word package named as a workbook
        ("slides.pptx", ["ppt/presentation.xml"]),  # no content types
    ],
)
def test_a_zip_that_is_not_the_declared_office_document_is_refused(world, filename, names):
    draft = applications.create_draft(world.company_a, application_data())
    with pytest.raises(RuleViolation) as refused:
        applications.add_attachment(world.company_a, draft, "other", io.BytesIO(_zip(names)), filename)
    assert refused.value.code == "upload_mismatch"


def test_a_real_office_package_is_accepted(world):
    draft = applications.create_draft(world.company_a, application_data())
    package = _zip(["[Content_Types].xml", "word/document.xml", "word/styles.xml"])
    assert applications.add_attachment(world.company_a, draft, "other", io.BytesIO(package), "说明.docx")


def _headers_only(base: str, request_line: str, headers: dict) -> tuple[int, float]:
    """Send a request's head with a huge Content-Length and no body; the status and how long the answer took."""
    url = urlparse(base)
    start = time.perf_counter()
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        head = request_line + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        conn.sendall(head.encode())
        answer = conn.recv(200).decode("latin-1")
    return int(answer.split()[1]), time.perf_counter() - start


def test_an_oversized_upload_is_refused_from_its_content_length_before_the_body(world, live_server):
    application = file_application(world.company_a)
    size = 300 * 1024 * 1024
    boundary = {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(size), "Host": "localhost"}
    # the screen-recording page from somebody not signed in: the ordinary limit applies, the body is never read
    status, seconds = _headers_only(
        live_server, f"POST /applications/{application.id}/recordings/ios HTTP/1.1\r\n", boundary
    )
    assert status == 413 and seconds < 5
    # an attachment upload over the limit, by its owner
    token = bearer(world.company_a)["Authorization"]
    status, seconds = _headers_only(
        live_server,
        f"POST /api/v1/applications/{application.id}/attachments HTTP/1.1\r\n",
        boundary | {"Authorization": token},
    )
    assert status == 413 and seconds < 5


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/login-log?day=0000-00-00", "day"),
        ("/api/v1/channels?status=alive", "status"),
        ("/api/v1/applications?status=x", "status"),
        ("/api/v1/work-orders?tag=nope", "tag"),
        ("/api/v1/channels?page=abc", "page"),
    ],
)
def test_an_invalid_filter_value_is_a_422_not_ignored(world, client, path, parameter):
    user = world.admin if "login-log" in path else world.operator
    response = client.get(path, headers=bearer(user))
    assert response.status_code == 422 and parameter in response.json["error"]["fields"], response.json
